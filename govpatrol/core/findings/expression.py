"""The finding the expression check (checks/expression.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

EXPRESSION_ERROR = FindingSpec(
    id="expression_error",
    check="expression",
    indicator="expression",
    severity="high",
    title_zh="严重表述错误（待人工确认）",
    title_en="Serious expression error (needs review)",
    hint_zh="核对原句：确属错误的，立即改正页面并标记为“已确认”（确认后计入单项否决）；"
    "属于正确用法的（如引文、历史表述），标记为误报并写明理由，同一站点的同一写法此后不再报告。",
    hint_en="Read the sentence: if it is wrong, correct the page and mark the finding "
    "acknowledged (a confirmed error fails the site); if it is right (a quotation, a historical "
    "statement), mark it a false positive with the reason, and the same wording on this site "
    "stays quiet from then on.",
    weight_note="待人工确认前不扣分、不否决；人工确认（已确认）后触发“严重表述错误”单项否决。",
    evidence=(
        "expression_rule",
        "rule_kind",
        "wrong_text",
        "right_text",
        "sentence",
        "rule_source",
        "occurrences",
        "published",
        "needs_review",
    ),
    doc=FindingDoc(
        what="用随代码发布、可公开核对的规则包（extract/rulepacks/*.toml，每条规则都写明依据文件"
        "和有效期）检查每个页面的可见文字和标题：① 党和国家领导人姓名写错——职务紧挨着姓名"
        "（「国务院总理」+姓名，或姓名+「总理」「总书记」「委员长」）而姓名有一个字换成了同音字"
        "（不计声调）或形近字；② 卸任后仍称现职——文章自己的发布日期晚于卸任日期，职务前没有"
        "「时任」「原」「前」「第×届」，句中也没有任期内的日期或「去年」「当时」等字样；没有发布"
        "日期的页面、链接文字（其他文章的标题）不作判断；③ 固定政治表述和国家机关名称中间有一个"
        "字写成同音字或形近字（全面从严冶党、中华人民共合国）；④ 政府网站上见过的易混错别字"
        "（扫黑险恶→扫黑除恶）。加引号的写法、句中谈“更正”“误写为”的不算。不使用通用敏感词库。"
        "每个发现给出原句、错误写法、正确写法和规则依据。",
        basis="《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决指标“严重表述错误”；"
        "全国政府网站普查（2015年）举例：“严重错别字（例如，将党和国家领导人姓名写错）”。",
        example="2024 年发布的文章写“国务院总理李克强主持召开国务院常务会议”（李克强 2023 年 3 月"
        "11 日卸任）；或写“刁近平总书记强调”。",
        fix="改正页面上的写法（卸任者加“时任”），再把发现标记为“已确认”；下次扫描看不到该写法即为"
        "已整改。自动发现一律先列为“待人工确认”，不扣分、不否决；经人工确认后才按单项否决计。",
        false_positives="引用原文、历史报道中的表述，或与领导人同名者紧挨着同一职务的情况，可能被"
        "误报。标记为误报并写明理由后，同一站点上同一规则的同一写法以后不再报告；各规则的准确率"
        "（已确认与误报之比）在管理页面“表述规则准确率”中列出。",
    ),
)

SPECS = (EXPRESSION_ERROR,)
