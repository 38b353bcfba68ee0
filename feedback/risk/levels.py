"""The three official level definitions, quoted word for word (rules-zh.md §2.5, decision rule).

Shown to the assessor beside the form; the software never picks a level itself (R34).
"""

from feedback.models import RiskLevel

SOURCE = "https://www.dongshengweiye.com.cn/FPXT/default.aspx"

LEVEL_DEFINITIONS = [
    (
        RiskLevel.HIGH,
        "高风险",
        "大部分群众对决策有意见，反应特别强烈，可能引发群体性事件，应当作出不予实施的决策，"
        "或者重新调整决策方案，降低风险等级待时机成熟后再作出决策",
    ),
    (
        RiskLevel.MEDIUM,
        "中风险",
        "要采取积极有效的防范化解风险工作措施，完善修订方案，再作实际的决策",
    ),
    (
        RiskLevel.LOW,
        "低风险",
        "可以作出决策，但要做好解释说服工作……妥善处理相关群众的合理诉求",
    ),
]
