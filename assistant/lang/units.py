"""Chinese measure words for goods: "5袋" is five bags, and a bare "10盒" names its unit, not a product."""

ZH_UNITS = ("袋", "包", "盒", "箱", "瓶", "罐", "杯", "公斤", "斤", "件", "份", "套", "支", "听", "条",
            "提", "桶", "个")
