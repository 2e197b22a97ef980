"""Deterministic Chinese text for a 民政局 portal: titles and body paragraphs.

Everything is drawn from a seeded ``random.Random`` so the same seed gives the same bytes.
The vocabulary deliberately avoids the words checks key on (有效, 废止, 失效, 解读, 暂无,
建设中, 页面不存在, 404 …): those appear only where a trap is planted on purpose, so a
check that fires elsewhere is a false positive, not an accident of the generator.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

SITE_NAME = "某市民政局"

TOPICS = (
    "养老服务",
    "社会救助",
    "最低生活保障",
    "特困人员供养",
    "临时救助",
    "儿童福利",
    "未成年人保护",
    "婚姻登记",
    "殡葬管理",
    "社会组织管理",
    "慈善事业",
    "社会工作",
    "志愿服务",
    "区划地名",
    "社区治理",
    "残疾人福利",
    "流浪乞讨人员救助",
    "居家养老",
    "养老机构安全",
    "困境儿童保障",
)
DISTRICTS = ("东城区", "西城区", "南湖区", "北山区", "高新区", "临江县", "青河县", "云溪镇")
UNITS = (
    "市民政局",
    "市社会福利院",
    "市救助管理站",
    "市婚姻登记中心",
    "市殡仪馆",
    "市民政事务服务中心",
)

_NEWS_TITLES = (
    "{unit}召开{topic}工作推进会",
    "市民政局主要负责同志带队调研{district}{topic}工作",
    "{district}扎实推进{topic}提质增效",
    "市民政局开展{topic}专项督查",
    "{district}民政局举办{topic}业务培训班",
    "我市{topic}工作取得新进展",
    "{unit}组织开展{topic}主题宣传活动",
    "{district}探索{topic}新模式",
    "{unit}召开{topic}领域安全生产工作会议",
    "市民政局赴{district}开展{topic}调研指导",
    "{district}多措并举做好{topic}工作",
    "{unit}举行{topic}志愿服务启动仪式",
)
_NOTICE_TITLES = (
    "关于开展{topic}工作检查的通知",
    "关于做好{topic}有关工作的通知",
    "关于{topic}服务机构名单的公示",
    "关于征集{topic}典型案例的通知",
    "关于举办{topic}业务培训的通知",
    "关于{district}{topic}项目评审结果的公示",
)
_SENTENCES = (
    "为进一步做好{topic}工作，{unit}近日组织相关科室和{district}民政部门召开专题会议，研究部署下一阶段重点任务。",
    "会议听取了{district}关于{topic}工作的情况汇报，对前一阶段取得的成绩给予肯定。",
    "会议强调，要坚持以人民为中心的发展思想，把{topic}工作摆在更加突出的位置，切实兜住兜准兜牢民生底线。",
    "各级民政部门要压实工作责任，细化工作措施，确保各项任务落地落实。",
    "要加强部门协同，健全信息共享机制，提高{topic}服务的精准性和便利性。",
    "调研组一行先后走访了{district}的社区服务站和养老服务中心，详细了解服务开展情况。",
    "{district}将{topic}纳入年度重点工作，建立工作台账，定期通报进展。",
    "下一步，{unit}将持续加强业务指导，推动{topic}工作再上新台阶。",
    "活动现场设置了政策咨询台，工作人员向群众发放宣传资料，解答群众关心的问题。",
    "培训采取集中授课和交流研讨相结合的方式，参训人员纷纷表示收获很大。",
    "截至目前，全市累计开展{topic}服务一千余人次，群众满意度持续提升。",
    "与会人员围绕{topic}工作中遇到的难点问题进行了深入交流。",
)


class TextGen:
    """Titles and paragraphs from one seeded RNG (call order decides the output)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._used: set[str] = set()

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            topic=r.choice(TOPICS), district=r.choice(DISTRICTS), unit=r.choice(UNITS)
        )

    def _unique(self, templates: tuple[str, ...]) -> str:
        title = self._fill(self.rng.choice(templates))
        for _ in range(6):
            if title not in self._used:
                break
            title = self._fill(self.rng.choice(templates))
        self._used.add(title)
        return title

    def news_title(self) -> str:
        return self._unique(_NEWS_TITLES)

    def plain_news_title(self) -> str:
        """A news title without the uniqueness bookkeeping (bulk pages may repeat titles)."""
        return self._fill(self.rng.choice(_NEWS_TITLES))

    def notice_title(self) -> str:
        return self._unique(_NOTICE_TITLES)

    def paragraphs(self, n: int = 3) -> list[str]:
        return [
            "".join(self._fill(self.rng.choice(_SENTENCES)) for _ in range(self.rng.randint(2, 3)))
            for _ in range(n)
        ]

    def choice(self, seq: Sequence[T]) -> T:
        return self.rng.choice(seq)

    def randint(self, a: int, b: int) -> int:
        return self.rng.randint(a, b)
