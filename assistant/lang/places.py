"""Cities an owner may name: Chinese names with their usual Latin spelling, for segments and contacts."""

from __future__ import annotations

# the larger mainland cities, plus the places written in Latin letters that pinyin would not give
CITIES_ZH = ("北京", "上海", "广州", "深圳", "杭州", "苏州", "南京", "成都", "重庆", "武汉", "西安",
             "天津", "厦门", "青岛", "长沙", "宁波", "无锡", "郑州", "济南", "合肥", "福州", "昆明",
             "大连", "沈阳", "哈尔滨", "长春", "石家庄", "太原", "南昌", "南宁", "贵阳", "兰州",
             "海口", "三亚", "东莞", "佛山", "珠海", "温州", "绍兴", "嘉兴", "常州", "南通", "扬州",
             "徐州", "烟台", "泉州", "金华", "台州", "中山", "惠州", "乌鲁木齐", "拉萨", "呼和浩特",
             "银川", "西宁", "香港", "澳门", "台北", "高雄")
CITIES_LATIN = {"hong kong": "香港", "hongkong": "香港", "hk": "香港", "macau": "澳门",
                "macao": "澳门", "taipei": "台北", "kaohsiung": "高雄", "peking": "北京",
                "canton": "广州", "sh": "上海", "bj": "北京", "sz": "深圳", "gz": "广州",
                "hz": "杭州", "nj": "南京", "singapore": "Singapore", "london": "London", "tokyo": "Tokyo",
                "new york": "New York", "sydney": "Sydney", "kuala lumpur": "Kuala Lumpur"}
# short names owners write for the big four: 沪 is Shanghai, 京 Beijing
CITY_ABBREVIATIONS = {"沪": "上海", "魔都": "上海", "帝都": "北京", "鹏城": "深圳", "羊城": "广州"}
