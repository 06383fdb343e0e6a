"""Every user-facing string of the web app, in English and Chinese: key -> (en, zh)."""

TEXT: dict[str, tuple[str, str]] = {
    # -- app ---------------------------------------------------------------------------------
    "app.title": ("## ☕ CRM Assistant", "## ☕ 客户管理助手"),
    "tab.chat": ("💬 Chat", "💬 对话"),
    "tab.customers": ("👥 Customers", "👥 客户"),
    "tab.churn": ("📉 Churn risk", "📉 流失风险"),
    "tab.complaints": ("📮 Complaints", "📮 投诉"),
    "tab.tasks": ("✅ Tasks", "✅ 待办"),
    "tab.import": ("📥 Import", "📥 导入"),
    "tab.settings": ("⚙️ Settings", "⚙️ 设置"),
    # -- chat --------------------------------------------------------------------------------
    "chat.placeholder": (
        (
            "Ask about your customers, log a visit or an order, or handle a complaint. "
            "Nothing is saved until you confirm."
        ),
        "问问客户情况、记录拜访或订单、处理投诉。所有修改都要你确认后才保存。",
    ),
    "chat.input": ("Type a message… (Enter to send)", "输入消息……（回车发送）"),
    "chat.send": ("Send", "发送"),
    "chat.confirm": ("✔ Confirm and save", "✔ 确认保存"),
    "chat.cancel": ("✖ Cancel", "✖ 取消"),
    "chat.undo": ("↩ Undo last change", "↩ 撤销上一步"),
    "chat.clear": ("New conversation", "新对话"),
    "chat.examples": ("Try asking", "试试这样问"),
    "chat.args": ("Input", "输入"),
    "chat.result": ("Result", "结果"),
    "chat.error": ("Error", "错误"),
    "chat.preview_title": ("Review before saving", "保存前请核对"),
    "chat.preview_hint": (
        ("Nothing is saved yet — press Confirm (or reply “yes”) to save, Cancel to drop it."),
        "尚未保存——点“确认保存”（或回复“确认”）保存，点“取消”放弃。",
    ),
    # -- shared columns and labels -----------------------------------------------------------
    "col.id": ("ID", "编号"),
    "col.name": ("Customer", "客户"),
    "col.city": ("City", "城市"),
    "col.orders": ("Orders", "订单数"),
    "col.spent": ("Spent", "累计消费"),
    "col.last_order": ("Last order", "最近下单"),
    "col.date": ("Date", "日期"),
    "col.kind": ("What", "类型"),
    "col.detail": ("Details", "内容"),
    "col.channel": ("Channel", "渠道"),
    "col.risk": ("Risk", "风险"),
    "col.stage": ("Stage", "阶段"),
    "col.next": ("Next purchase due", "预计下次购买"),
    "col.clv": ("Future value", "未来价值"),
    "col.reasons": ("Why", "原因"),
    "col.severity": ("Severity", "严重程度"),
    "col.status": ("Status", "状态"),
    "col.category": ("Category", "类别"),
    "col.text": ("Complaint", "投诉内容"),
    "col.sentiment": ("Sentiment", "情绪"),
    "col.fault": ("Fault", "责任方"),
    "col.source": ("Labelled by", "标注来源"),
    "col.due": ("Due", "到期"),
    "col.task": ("Task", "事项"),
    "kind.order": ("🧾 Order", "🧾 订单"),
    "kind.interaction": ("💬 Contact", "💬 沟通"),
    "kind.complaint": ("📮 Complaint", "📮 投诉"),
    "kind.task": ("📌 Task", "📌 待办"),
    "kind.customers": ("customers", "客户"),
    "kind.orders": ("orders", "订单"),
    "kind.interactions": ("interactions", "沟通记录"),
    "status.open": ("Open", "待处理"),
    "status.in_progress": ("In progress", "处理中"),
    "status.resolved": ("Resolved", "已解决"),
    "status.done": ("Done", "已完成"),
    "risk.high": ("High", "高"),
    "risk.medium": ("Medium", "中"),
    "risk.low": ("Low", "低"),
    "cat.delivery": ("Delivery", "配送"),
    "cat.product_quality": ("Product quality", "产品质量"),
    "cat.wrong_or_missing_item": ("Wrong or missing item", "错发漏发"),
    "cat.service_attitude": ("Service attitude", "服务态度"),
    "cat.price_billing_refund": ("Price, billing, refund", "价格/扣款/退款"),
    "cat.waiting_time": ("Waiting time", "等待时间"),
    "cat.hygiene_environment": ("Hygiene, environment", "卫生环境"),
    "cat.other": ("Other", "其他"),
    "fault.business": ("the shop", "店家"),
    "fault.customer": ("the customer", "顾客"),
    "fault.unclear": ("unclear", "待查"),
    "stage.exploration": ("Exploration", "考察期"),
    "stage.formation": ("Formation", "形成期"),
    "stage.stability": ("Stability", "稳定期"),
    "stage.decline": ("Decline", "退化期"),
    "sev.critical": ("Critical", "紧急"),
    "sev.high": ("High", "高"),
    "sev.medium": ("Medium", "中"),
    "sev.low": ("Low", "低"),
    # -- customers ---------------------------------------------------------------------------
    "customers.search": (
        "Search by name (汉字 or pinyin), phone, email or notes…",
        "按姓名（汉字或拼音）、电话、邮箱或备注搜索……",
    ),
    "customers.pick": (
        (
            "### Pick a customer\nClick a row in the table to see their profile, "
            "timeline and what to do next."
        ),
        "### 选择一位客户\n点击左侧表格中的一行，查看客户档案、时间线和建议。",
    ),
    "customers.pick_first": ("Pick a customer in the table first.", "请先在表格中选择一位客户。"),
    "customers.log": ("➕ Log a conversation or visit", "➕ 记录一次沟通或到店"),
    "customers.summary": ("What happened", "沟通内容"),
    "customers.summary_hint": (
        "e.g. Asked about decaf, happy with the last beans",
        "例如：问了低因咖啡，对上次的豆子很满意",
    ),
    "customers.preview": ("Preview", "预览"),
    "customers.card": (
        ("📝 **Review before saving** — {channel} with **{name}** on {date}:\n\n> {summary}"),
        ("📝 **保存前请核对** —— {date} 通过 {channel} 与 **{name}** 沟通：\n\n> {summary}"),
    ),
    "customers.saved": (
        "✅ Saved. It is now in the timeline (Undo is in the Chat tab).",
        "✅ 已保存，已加入时间线（撤销按钮在“对话”页）。",
    ),
    "customers.timeline": ("#### Timeline", "#### 时间线"),
    "customers.suggest": ("#### Suggested next steps", "#### 建议的下一步"),
    "profile.stats": (
        "**{n}** orders · **{spent}** spent · last order **{last}**",
        "共 **{n}** 笔订单 · 累计 **{spent}** · 最近下单 **{last}**",
    ),
    "profile.risk": (
        "{badge} Churn risk **{risk}**{p} · stage **{stage}**",
        "{badge} 流失风险 **{risk}**{p} · 阶段 **{stage}**",
    ),
    "profile.next": ("Next purchase expected around **{date}**", "预计下次购买约在 **{date}**"),
    "suggest.loading": ("⏳ Looking it up in the playbook…", "⏳ 正在查阅知识库……"),
    "suggest.none": ("No suggestion right now.", "暂时没有建议。"),
    "suggest.sources": ("Sources", "参考"),
    # -- churn -------------------------------------------------------------------------------
    "churn.intro": (
        (
            "Customers ranked by how likely they are to stop buying, with the reasons. "
            "Future value is what a customer is expected to spend if they stay."
        ),
        "按流失可能性排序的客户及原因。“未来价值”是客户留下时预计的消费额。",
    ),
    "churn.all": ("All", "全部"),
    "churn.top": ("How many to show", "显示人数"),
    "churn.refresh": ("Refresh", "刷新"),
    "churn.export": ("⬇ Export CSV", "⬇ 导出 CSV"),
    "churn.plot_risk": ("Customers by churn probability", "流失概率分布"),
    "churn.prob": ("Churn probability", "流失概率"),
    "churn.customers": ("Customers", "客户数"),
    "churn.plot_stage": ("Customers by lifecycle stage", "各生命周期阶段客户数"),
    "churn.plot_money": ("Revenue at risk by stage", "各阶段面临流失的收入"),
    "churn.money": ("Revenue at risk", "风险收入"),
    # -- complaints --------------------------------------------------------------------------
    "complaints.pick": (
        "Click a complaint to see it, label it and draft a reply.",
        "点击一条投诉，查看详情、标注并起草回复。",
    ),
    "complaints.pick_first": ("Pick a complaint in the list first.", "请先在列表中选择一条投诉。"),
    "complaints.triage": ("🏷 Re-run triage", "🏷 重新分诊"),
    "complaints.resolve": ("✔ Mark resolved", "✔ 标记为已解决"),
    "complaints.tone": ("Tone", "语气"),
    "tone.formal": ("Formal", "正式"),
    "tone.warm": ("Warm", "亲切"),
    "tone.brief": ("Brief", "简短"),
    "complaints.draft": ("✍ Draft reply", "✍ 起草回复"),
    "complaints.reply": ("Reply (edit before sending)", "回复（发送前可修改）"),
    "complaints.save": ("Save draft", "保存草稿"),
    "complaints.sent": ("Reply sent", "已发送回复"),
    "complaints.sent_btn": ("Mark reply as sent", "标记为已回复"),
    "complaints.marked_sent": (
        "Reply recorded as sent; the complaint is now in progress.",
        "已记录回复，投诉转为处理中。",
    ),
    "complaints.check_failed": ("Please check: {checks}.", "请核对：{checks}。"),
    "complaints.triaged": ("Labels updated.", "标签已更新。"),
    "complaints.drafted": (
        "Draft ready — check it, edit it, then send it yourself.",
        "草稿已生成——请核对修改后再发送。",
    ),
    "complaints.saved": ("Draft saved.", "草稿已保存。"),
    "complaints.resolved": ("Marked resolved.", "已标记为已解决。"),
    # -- tasks -------------------------------------------------------------------------------
    "tasks.show": ("Show", "显示"),
    "tasks.f_open": ("Open", "未完成"),
    "tasks.f_overdue": ("Overdue", "已逾期"),
    "tasks.f_week": ("Due this week", "本周到期"),
    "tasks.overdue": ("⚠ Overdue", "⚠ 已逾期"),
    "tasks.count": ("**{n}** task(s) · **{late}** overdue", "共 **{n}** 条 · 已逾期 **{late}** 条"),
    "tasks.pick": ("Click a task, then mark it done.", "点击一条待办，然后标记为已完成。"),
    "tasks.pick_first": ("Pick a task in the list first.", "请先在列表中选择一条待办。"),
    "tasks.done_btn": ("✔ Mark done", "✔ 标记为已完成"),
    "tasks.reopen_btn": ("↺ Reopen", "↺ 重新打开"),
    "tasks.marked_done": (
        "✅ Done: {title} (Undo is in the Chat tab).",
        "✅ 已完成：{title}（撤销按钮在“对话”页）。",
    ),
    "tasks.reopened": ("Reopened: {title}", "已重新打开：{title}"),
    "tasks.already_done": ("“{title}” is already done.", "“{title}”已经完成了。"),
    "tasks.already_open": ("“{title}” is still open.", "“{title}”还没有完成。"),
    # -- import ------------------------------------------------------------------------------
    "import.intro": (
        (
            "Upload a CSV or Excel file. Check it first: every row is validated and "
            "nothing is written unless all rows are good. An import can be undone."
        ),
        ("上传 CSV 或 Excel 文件。先检查：逐行校验，只要有一行有问题就不会写入。导入后可以撤销。"),
    ),
    "import.kind": ("What is in the file", "文件内容"),
    "import.k_customers": ("Customers", "客户"),
    "import.k_orders": ("Orders", "订单"),
    "import.k_interactions": ("Conversations", "沟通记录"),
    "import.file": ("CSV or XLSX file", "CSV 或 XLSX 文件"),
    "import.mapping": ("Column mapping (edit the field to fix it)", "列对应关系（可修改字段）"),
    "import.preview": ("First rows", "前几行"),
    "import.column": ("Column in file", "文件中的列"),
    "import.field": ("Field", "字段"),
    "import.mapped": (
        "Matched {n} of {total} columns. Fields: {fields}.",
        "已识别 {total} 列中的 {n} 列。可用字段：{fields}。",
    ),
    "import.check": ("🔎 Check (dry run)", "🔎 检查（不写入）"),
    "import.go": ("📥 Import", "📥 导入"),
    "import.undo": ("↩ Undo last import", "↩ 撤销上次导入"),
    "import.errors": ("Rows to fix", "需要修改的行"),
    "import.row": ("Row", "行号"),
    "import.reason": ("Problem", "问题"),
    "import.no_file": ("Upload a file first.", "请先上传文件。"),
    "import.failed": (
        (
            "{n} row(s) need fixing — nothing was imported. Fix them in the file and "
            "upload it again."
        ),
        "{n} 行需要修改——没有导入任何数据。请在文件中改正后重新上传。",
    ),
    "import.dry_ok": (
        (
            "All rows look good: would import {n} {kind} ({updated} updated, "
            "{created} new customers). Press Import to save."
        ),
        (
            "全部校验通过：将导入 {n} 条{kind}（更新 {updated} 条，新客户 {created} 位）。"
            "点“导入”保存。"
        ),
    ),
    "import.done": (
        "Imported {n} {kind} ({updated} updated, {created} new customers).",
        "已导入 {n} 条{kind}（更新 {updated} 条，新客户 {created} 位）。",
    ),
    "import.undone": ("Undone: {what}", "已撤销：{what}"),
    # -- settings ----------------------------------------------------------------------------
    "settings.backend_title": ("### Chat model", "### 对话模型"),
    "settings.backend": ("Backend", "模型来源"),
    "settings.local": ("Local model (offline)", "本地模型（离线）"),
    "settings.openai": ("OpenAI-compatible server", "OpenAI 兼容服务"),
    "settings.none": ("No model (built-in rules)", "不用模型（内置规则）"),
    "settings.url": ("Server URL", "服务地址"),
    "settings.model": ("Model name", "模型名"),
    "settings.key": ("API key", "API 密钥"),
    "settings.test": ("Test connection", "测试连接"),
    "settings.save": ("Save", "保存"),
    "settings.saved_backend": (
        "Saved. The next chat message uses it.",
        "已保存，下一条消息起生效。",
    ),
    "settings.none_ok": (
        "No model needed: the assistant answers with built-in rules.",
        "无需模型：助手使用内置规则回答。",
    ),
    "settings.no_llama": (
        "llama-cpp-python is not installed: run `pip install -e '.[local]'`.",
        "未安装 llama-cpp-python：请运行 `pip install -e '.[local]'`。",
    ),
    "settings.local_ok": ("Local model {name} is installed.", "本地模型 {name} 已安装。"),
    "settings.no_model": ("No local model is installed.", "没有安装本地模型。"),
    "settings.bad_url": (
        "Enter the server URL, e.g. http://127.0.0.1:8080/v1",
        "请填写服务地址，例如 http://127.0.0.1:8080/v1",
    ),
    "settings.no_model_name": (
        "Enter the model name the server offers, e.g. gpt-4o-mini.",
        "请填写服务提供的模型名，例如 gpt-4o-mini。",
    ),
    "settings.failed": ("Connection failed: {error}", "连接失败：{error}"),
    "settings.openai_ok": ("Connected — {answer}", "连接成功——{answer}"),
    "settings.policy_title": (
        ("### Shop policy\nLimits the assistant must respect when it drafts complaint replies."),
        "### 店铺政策\n助手起草投诉回复时必须遵守的上限。",
    ),
    "settings.max_refund": ("Largest refund it may offer", "可承诺的最高退款"),
    "settings.max_coupon": ("Largest coupon it may offer", "可承诺的最高优惠券"),
    "settings.currency": ("Currency", "货币符号"),
    "settings.replacement": ("May offer a replacement", "可以补发/换货"),
    "settings.save_policy": ("Save policy", "保存政策"),
    "settings.saved_policy": ("Policy saved.", "政策已保存。"),
    "settings.bad_limits": ("Limits must be numbers of 0 or more.", "上限必须是不小于 0 的数字。"),
    "settings.lang_title": ("### Interface language", "### 界面语言"),
}
