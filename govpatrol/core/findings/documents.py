"""The findings the normative-document check (checks/documents.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

_NORMATIVE = (
    "行政规范性文件：位于规范性文件栏目、带规范性文件登记号或“…规〔2023〕5号”之类的文号、"
    "元数据中注明规范性文件，或既有发文字号、标题又是办法、规定、细则、实施意见等规章类文种"
    "（或印发这类文件）的页面。仅有发文字号不算：做好、开展某项工作的通知，印发工作要点、方案、"
    "计划的通知，名单、批复、函都是工作安排。无法判定的（有发文字号的意见、决定，标题像规范性事项的"
    "通知、公告等）标为“待人工确认”：严重度为低，不扣分。"
)
_REVIEW = "页面是否为规范性文件无法判定时，问题标为“待人工确认”，不扣分，请确认后再处理。"

MISSING_VALIDITY_LABEL = FindingSpec(
    id="missing_validity_label",
    check="documents",
    indicator="documents",
    severity="medium",
    title_zh="规范性文件未标注有效性",
    title_en="Normative document without validity label",
    hint_zh="在文件元数据区增加“有效性”字段（有效/失效/废止/部分失效），或在标题加【已失效】等标识，"
    "并随文件清理及时更新。",
    hint_en="Add a validity field (有效/失效/废止/部分失效) to the document's metadata block, "
    "or a title marker such as 【已失效】, and keep it current.",
    weight=1.0,
    evidence=("reason", "shown_labels", "sources", "normative_reason", "needs_review"),
    doc=FindingDoc(
        what=f"{_NORMATIVE}这样的页面既没有有效性（有效性/时效性/状态）字段，也没有【有效】"
        "【已失效】之类的标题标识，或字段为空。",
        basis="规范性文件应标注有效性，便于公众判断文件是否仍然适用。",
        example="《××市××管理办法》页面的元数据区列出了发文字号和成文日期，没有“有效性”一项。",
        fix="在元数据区增加“有效性”字段，或在标题加标识，文件清理后及时更新。",
        false_positives="只有发文字号的普通通知（工作安排、名单、批复）不是规范性文件，"
        "检查不会要求其标注；若仍被误认，可标记为误报。" + _REVIEW,
    ),
)

VALIDITY_INCONSISTENT = FindingSpec(
    id="validity_inconsistent",
    check="documents",
    indicator="documents",
    severity="medium",
    title_zh="规范性文件有效性标注与日期不符",
    title_en="Validity label contradicts the document's dates",
    hint_zh="核对废止日期、有效期和施行日期，将已到期或已废止的文件改标为失效/废止，或更正日期。",
    hint_en="Check repeal, expiry and effective dates; relabel expired or repealed documents, "
    "or correct the dates.",
    weight=1.0,
    severity_weights=(("low", 0.2),),
    evidence=(
        "reason",
        "as_of",
        "validity",
        "validity_raw",
        "validity_source",
        "title_marker",
        "title_marker_validity",
        "effective_date",
        "repeal_date",
        "valid_until",
        "period_years",
        "period_text",
        "default_years",
        "provisional",
        "basis",
        "basis_date",
        "ends",
        "sources",
        "normative_reason",
        "needs_review",
    ),
    options=("default_validity_years", "provisional_validity_years"),
    doc=FindingDoc(
        what="有效性标注与页面上的日期矛盾：标为有效，但废止日期或有效期已过，或正文所定的“有效期X年”"
        "已届满；标题标识与有效性字段不一致；标为失效或废止，施行日期却还在将来。"
        "页面或正文写明的有效期（有效期X年、有效期至、自…起施行…有效期）总是核对。没有写明有效期的，"
        "默认不推断：国家没有统一的默认有效期，标“有效”超过 5 年在多数地方是正常的。"
        "按本地规定需要时，网站可设置 default_validity_years（如 5）、provisional_validity_years"
        "（暂行、试行，如 2）启用推断，届满的只作低严重度的“需要核实”提示。",
        basis="有效性标注错误会让公众依据已失效的文件办事，或误以为有效文件已失效。",
        example="页面标“现行有效”，正文写明“自2019年1月1日起施行，有效期5年”，评估日已是 2026 年。",
        fix="把已届满或已废止的文件改标为失效或废止；日期有误的更正日期。",
        false_positives="有效期已由后续文件延长、页面未注明时会被判为矛盾：请在页面注明延期文件，"
        "或标记为误报。启用了推断有效期时，只能从推断有效期得出的，严重度为低，意为“需要核实”。"
        + _REVIEW,
    ),
)

MISSING_DOCUMENT_FIELDS = FindingSpec(
    id="missing_document_fields",
    check="documents",
    indicator="documents",
    severity="medium",
    title_zh="规范性文件要素不全",
    title_en="Normative document missing metadata",
    hint_zh="补全标题、发文字号、成文日期、发布日期（建议同时标注索引号和发布机构）。",
    hint_en="Fill in title, document number, date written and date published "
    "(index number and issuer recommended).",
    weight=0.5,
    severity_weights=(("low", 0.1),),
    evidence=(
        "title",
        "doc_number_raw",
        "shown_fields",
        "sources",
        "missing",
        "recommended_missing",
        "normative_reason",
        "needs_review",
    ),
    doc=FindingDoc(
        what=f"{_NORMATIVE}这样的页面缺少标题、发文字号、成文日期或发布日期；"
        "只缺建议项（索引号、发布机构）时严重度为低。要素从元数据区读取（标签与值同行、同格相邻，"
        "或标签一行、值在下一行同列）；元数据没有成文日期的编号公文，以正文末尾落款的日期为成文日期；"
        "“生成日期”是网站系统的日期，不当作成文日期。证据 sources 写明每个要素的读取位置。",
        basis="规范性文件应完整标注元数据，便于检索和核对。",
        example="文件页只显示标题和发布日期，没有发文字号和成文日期。",
        fix="在元数据区补全缺少的要素。",
        false_positives="要素以图片形式显示时读不到，请在元数据区用文字列出；没有文号的文件，"
        "成文日期只写在落款中时不会从落款读取。" + _REVIEW,
    ),
)

MISSING_INTERPRETATION = FindingSpec(
    id="missing_interpretation",
    check="documents",
    indicator="interpretation",
    severity="medium",
    title_zh="政策文件与解读未相互关联",
    title_en="Document and its interpretation not linked",
    hint_zh="在文件页添加对应政策解读链接，并在解读页添加政策原文链接。",
    hint_en="Link the document page to its interpretation and the interpretation back to "
    "the original.",
    weight=1.0,
    evidence=(
        "reason",
        "one_way",
        "title",
        "doc_number",
        "published_date",
        "interpretation",
        "interpretation_title",
        "interpretations_linking_back",
        "document",
        "document_title",
        "interpretation_link",
        "unrelated_links",
        "normative_reason",
        "needs_review",
    ),
    doc=FindingDoc(
        what="规范性文件或重大政策文件没有关联的政策解读，或只单向关联（解读链接了原文而原文没有链接解读，"
        "或相反）。单向关联的发现会说明缺哪一侧的链接（低严重度），不算“没有解读”。"
        "文件页上的链接只有与本文件相关才算它的解读：链接文字或解读页标题含本文件标题（或去掉"
        "“关于…的通知”后的核心名称）或发文字号，或解读页链接回本文件；导航栏、面包屑、页头页脚菜单、"
        "栏目首页（如“政策解读”“图说”栏目）和“相关阅读”之类其他文件的列表都不算。",
        basis="政策文件与解读应同步发布并相互关联。",
        example="《××实施意见》页面没有“政策解读”链接，而解读页链接了原文。",
        fix="在文件页添加解读链接，在解读页添加原文链接。",
        false_positives="解读以图片或视频形式发布、页面中没有可识别的链接时会被判为缺少，可标记为误报。"
        "文件页只有“图文解读”之类的泛称链接、而目标页未被抓取为解读页时无法确认其相关性，"
        "既不算已关联，也不报告缺失。" + _REVIEW,
    ),
)

LATE_INTERPRETATION = FindingSpec(
    id="late_interpretation",
    check="documents",
    indicator="interpretation",
    severity="low",
    title_zh="政策解读发布不及时",
    title_en="Interpretation published late",
    hint_zh="政策解读应与文件同步发布，最迟在文件发布后规定的工作日内发布。",
    hint_en="Publish the interpretation together with the document, at most the configured "
    "working days later.",
    weight=0.5,
    evidence=(
        "interpretation",
        "interpretation_title",
        "interpretation_link",
        "one_way",
        "published",
        "interpretation_published",
        "working_days",
        "calendar_days",
        "max_working_days",
        "fallback",
        "calendar",
        "fallback_years",
        "normative_reason",
        "needs_review",
    ),
    options=("interpretation_max_working_days",),
    doc=FindingDoc(
        what="解读的发布日期晚于文件发布日期超过 3 个工作日（地方惯例，可配置），"
        "无论两者是双向还是单向链接。"
        "工作日按 chinese-calendar 和本单位载入的国务院节假日安排计算；没有某年节假日安排时仅按周一至周五计，"
        "注明年份，并标为待人工确认（不计分）。",
        basis="政策文件与解读应同步起草、同步审签、同步发布。",
        example="文件 3 月 1 日发布，解读 3 月 12 日才发布，相隔 7 个工作日。",
        fix="与文件同时发布解读，最迟在规定的工作日内发布。",
        false_positives="页面日期标错（如解读显示的是修改日期）时会误判，请更正页面日期。",
    ),
)

SPECS = (
    MISSING_VALIDITY_LABEL,
    VALIDITY_INCONSISTENT,
    MISSING_DOCUMENT_FIELDS,
    MISSING_INTERPRETATION,
    LATE_INTERPRETATION,
)
