"""The three official level definitions, quoted word for word, and the documents they come from.

Shown to the assessor beside the form; the software never picks a level itself (R34). The words
are those of the NDRC interim measures for major fixed-asset investment projects (发改投资〔2012〕
2492号, Art. 4), whose risk-analysis chapter follows the outline issued with them; the portal
cites the documents by their number, never a website (issue 15; rules-zh.md §2.2–2.3).
"""

from feedback.models import RiskLevel

# The measures (the definitions' source) and the outline they refer to.
SOURCE_DOCUMENT = (
    "《国家发展改革委重大固定资产投资项目社会稳定风险评估暂行办法》（发改投资〔2012〕2492号）第四条"
)
OUTLINE_DOCUMENT = "《重大固定资产投资项目社会稳定风险分析篇章编制大纲及说明（试行）》"
SOURCES = (SOURCE_DOCUMENT, OUTLINE_DOCUMENT)

LEVEL_DEFINITIONS = [
    (
        RiskLevel.HIGH,
        "高风险",
        "大部分群众对项目有意见、反应特别强烈，可能引发大规模群体性事件",
    ),
    (
        RiskLevel.MEDIUM,
        "中风险",
        "部分群众对项目有意见、反应强烈，可能引发矛盾冲突",
    ),
    (
        RiskLevel.LOW,
        "低风险",
        "多数群众理解支持但少部分人对项目有意见，通过有效工作可防范和化解矛盾",
    ),
]
