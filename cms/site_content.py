"""Initial text of the fixed pages created by ``setup_site``; editors change it in the admin.

Kept as data (Chinese and English rich text) so the setup code stays short. The privacy notice
covers what PIPL Art. 17 and 网络数据安全管理条例 Art. 21 ask for (requirement R43); the
accessibility statement states the conformance target of R56 and the features of R57.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageText:
    slug: str
    title: str
    title_en: str
    body: str
    body_en: str


HOW_TO_TAKE_PART = PageText(
    slug="how-to-take-part",
    title="参与方式",
    title_en="How to take part",
    body="""
<p>政府在作出重大决策之前，会在这里公开方案草案，听取您的意见。参与不需要注册账号，也不需要填写姓名或身份证号。</p>
<h2>在网上提出意见（约3分钟）</h2>
<ol>
<li>在“全部意见征集”中找到您关心的事项，先读“通俗版说明”。</li>
<li>点击“提出意见”。选择您的总体态度：支持、有条件支持、反对或不确定。</li>
<li>如果愿意，可以对某一条款单独提意见，回答问卷，或者写下您的想法。所有问题都可以跳过。</li>
<li>提交后，页面会显示一个<strong>回执码</strong>。请抄下或保存。征集截止前，凭回执码可以修改或撤回意见；公布反馈后，凭回执码可以查看您的意见被归入哪个主题、得到了怎样的答复。</li>
</ol>
<h2>不上网也可以</h2>
<p>每个征集页面都列出了承办单位的电话、通信地址、接待地址和办公时间。您可以打电话、写信或当面提出意见。工作人员会把这些意见录入同一个意见登记簿，同样给您回执码，与网上意见一样统计和答复。</p>
<h2>截止时间怎么算</h2>
<p>征求意见期限从发布的次日开始计算，到截止日北京时间24:00结束。截止日遇到法定节假日的，顺延到节假日后的第一个工作日。每个页面都写明了截止日期和剩余天数。</p>
<h2>之后会怎样</h2>
<p>征集结束后，承办单位会逐条研究意见，按主题公布采纳情况（采纳、部分采纳、未采纳及理由），并说明方案作了哪些修改。所有意见都会被计入，包括内容相同的意见。</p>
""".strip(),
    body_en="""
<p>Before the government makes a major decision, it publishes the draft here and asks for your opinion. You do not need an account, and you do not need to give your name or ID number.</p>
<h2>Give your opinion online (about 3 minutes)</h2>
<ol>
<li>Find the consultation you care about under “All consultations” and read the plain-language summary first.</li>
<li>Choose “Give your opinion”. Pick your overall view: support, support with conditions, oppose or not sure.</li>
<li>If you like, comment on single clauses, answer the questionnaire or write what you think. Every question can be skipped.</li>
<li>After you send it, the page shows a <strong>receipt code</strong>. Write it down or save it. Until the closing date you can change or withdraw your opinion with it; once the answers are published, it shows which theme your opinion was grouped under and the answer given.</li>
</ol>
<h2>Without the internet</h2>
<p>Every consultation page lists the department’s phone number, postal address, walk-in address and office hours. You can phone, write or come in person. Staff enter these opinions into the same register and give you a receipt code too; they are counted and answered exactly like online opinions.</p>
<h2>How the closing date is counted</h2>
<p>The period starts on the day after publication and ends at 24:00 Beijing time on the closing date. If the last day is a statutory holiday, the period ends on the first working day after the holiday. Each page shows the closing date and the days left.</p>
<h2>What happens next</h2>
<p>After the period ends, the department studies every opinion and publishes, theme by theme, what it adopted, partly adopted or did not adopt and why, and how the draft changed. Every opinion is counted, including identical ones.</p>
""".strip(),
)


PRIVACY = PageText(
    slug="privacy",
    title="隐私说明",
    title_en="Privacy notice",
    body="""
<p>本说明告诉您：在本网站提出意见时，我们处理哪些个人信息、为什么处理、保存多久，以及您有哪些权利、怎样行使。</p>
<h2>个人信息处理者及联系方式</h2>
<p>个人信息处理者是本网站的运营机关，以及发布每项意见征集的承办单位（名称、电话和地址列在每个征集页面上）。个人信息保护事宜请联系本网站个人信息保护负责人：电子邮箱、电话和通信地址见本页末尾的“联系我们”。</p>
<h2>处理的依据</h2>
<p>公开征求意见是《重大行政决策程序暂行条例》等法规规定的法定职责。我们依据《个人信息保护法》第十三条第一款第（三）项“为履行法定职责或者法定义务所必需”处理您提交的意见，这部分不需要您另行同意。只有下列可选用途才征求您的同意，不同意不影响您提出意见：</p>
<ul>
<li>留下电子邮箱或手机号，用于接收对您意见的答复；</li>
<li>在公开展示的意见或公布的反馈中不署名地引用您的原话。</li>
</ul>
<h2>处理目的</h2>
<ul>
<li>记录、统计、研究和答复意见，形成公开的意见采纳情况反馈；</li>
<li>为社会稳定风险评估提供汇总情况（只提供统计数字，不提供任何个人的身份）；</li>
<li>依法归入决策档案。</li>
</ul>
<h2>处理的个人信息种类</h2>
<ul>
<li>意见内容：总体态度、对各备选方案的倾向、问卷回答、对条款的意见和其他意见；</li>
<li>您自愿选择的粗略受影响类别（例如“居住在影响范围内”）；</li>
<li>可选：用于答复的电子邮箱或手机号；是否同意不署名引用您的原话；</li>
<li>通过电话、信件、来访等方式提出的意见，由工作人员按同样的种类录入。</li>
</ul>
<p><strong>我们不收集身份证号、准确住址，不把IP地址、设备信息或浏览器指纹与意见一起保存，也不使用第三方统计或广告脚本。</strong>为防止滥用，系统按截短后的网络地址计数：只保存用每天更换、不存放在数据库中的密钥散列后的值，与意见分开写入，计数时段结束即删除，不与任何意见关联；意见和联系方式的时间只记录到分钟。本网站只使用必要的Cookie：语言、字号和对比度偏好，以及表单安全校验。</p>
<h2>保存期限</h2>
<ul>
<li>您留下的联系方式只用于两项通知：意见采纳情况已公布；在联系方式删除之前，承办单位就同一决策开展决策后评估、另行征求意见时，告知您评估已经开始。通知只含公布页面的链接，不含回执编号。联系方式在意见采纳情况公布后90日内删除；如未公布，最迟在征求意见结束后180日删除。您也可以随时在回执页面删除联系方式。</li>
<li>公开展示的意见中，电话号码、电子邮箱、身份证号、QQ号、微信号、银行卡号、车牌号、具体到户的住址以及与住址一起出现的姓名都会被隐去；系统发现含有这些信息的意见，须经工作人员审核后才公开。您提交的原文按原样保存在意见登记册中，工作人员的屏幕和导出文件只显示隐去后的文字。</li>
<li>意见内容不含身份信息，作为决策过程记录按档案管理规定保存；公开的统计和反馈中，可能识别到个人的小样本数字（少于5）不予显示。</li>
<li>撤回引用同意后，您的原话不再公开展示。</li>
</ul>
<h2>受托处理者</h2>
<p>本网站目前未委托其他单位处理个人信息。如今后委托技术服务单位运维，我们会在本页列明受托单位名称、处理事项和期限，并通过合同约定其保护义务、监督其履行；受托单位不得将信息用于其他目的。所有数据存储在中华人民共和国境内。</p>
<h2>您的权利和行使方式</h2>
<ul>
<li><strong>查阅、修改、撤回意见：</strong>征集截止前，凭回执码可以查看、修改或撤回您的意见；撤回的意见只计入“已撤回”数量，其文字只作为记录保留在登记册中，不再显示、检索、归类、导出或用于统计。回执编号从不出现在网址中，只在查询表单中输入，不会留在浏览器历史记录或服务器日志里。</li>
<li><strong>撤回同意：</strong>征集期内凭回执码修改意见即可取消引用同意，撤回意见时联系方式随即删除；其他情况可以联系我们办理。撤回同意不影响此前基于同意已进行的处理。</li>
<li><strong>查阅复制、更正补充、删除、要求解释：</strong>依照《个人信息保护法》第四十四条至第四十八条，您可以联系个人信息保护负责人提出请求。我们会核实请求与回执码相符，并在15个工作日内答复。</li>
<li>如对处理有异议，您还可以向履行个人信息保护职责的部门投诉、举报。</li>
</ul>
<h2>安全措施</h2>
<p>联系方式与意见分开存放并加密；只有发送答复的程序会自动读取。个人信息保护负责人须写明法律依据和理由，经另一名负责人或站点管理员批准后，才能查看一次；每次查看都记入不可篡改的审计日志。分析人员只能看到意见内容和统计数字。</p>
<h2>联系我们</h2>
<p>个人信息保护负责人：{contact}</p>
""".strip(),
    body_en="""
<p>This notice explains which personal information we process when you give an opinion on this site, why, for how long, and what your rights are and how to use them.</p>
<h2>Who processes your information and how to contact them</h2>
<p>The controller is the authority that runs this site, together with the department that publishes each consultation (its name, phone number and address are on every consultation page). For privacy matters, contact the site’s personal information protection officer; the contact details are under “Contact us” at the end of this page.</p>
<h2>Legal basis</h2>
<p>Consulting the public is a statutory duty under the Interim Regulations on Major Administrative Decision-making Procedures and other rules. We process the opinion you send on the basis of Article 13(1)(3) of the Personal Information Protection Law, “necessary to perform a statutory duty”; this needs no separate consent. We ask for your consent only for these optional uses, and saying no does not stop you from giving an opinion:</p>
<ul>
<li>leaving an e-mail address or mobile number to receive the answer to your opinion;</li>
<li>quoting your words, without your name, where opinions are shown in public or in the published response.</li>
</ul>
<h2>Purposes</h2>
<ul>
<li>to record, count, study and answer opinions and publish how they were handled;</li>
<li>to give the social stability risk assessment aggregate figures (figures only, never anyone’s identity);</li>
<li>to keep the decision file as the law requires.</li>
</ul>
<h2>What we process</h2>
<ul>
<li>your opinion: overall view, preference for each option, questionnaire answers, comments on clauses and other comments;</li>
<li>a rough category of how you are affected, if you choose one (for example “I live in the affected area”);</li>
<li>optionally: an e-mail address or mobile number for the answer; whether you agree to be quoted without your name;</li>
<li>opinions given by phone, letter or in person, entered by staff in the same way.</li>
</ul>
<p><strong>We do not collect ID numbers or exact addresses. We do not store IP addresses, device details or browser fingerprints with opinions, and we use no third-party analytics or advertising scripts.</strong> To prevent abuse, the system counts requests per shortened network address: it keeps only a hash made with a key that changes every day and is never stored in the database, writes it apart from opinions, deletes it when the counting period ends, and never links it to an opinion. Opinions and contact details record the time only to the minute. The site uses only necessary cookies: your language, text size and contrast choices, and form security.</p>
<h2>How long we keep it</h2>
<ul>
<li>Your contact details are used only for two notices: that the response is published, and, while they are still kept, that the department has opened a post-decision evaluation of the same decision with a new consultation. A notice has only the link, never your receipt code. They are deleted 90 days after the response is published or, if none is published, at the latest 180 days after the consultation closes. You can also delete them at any time on the receipt page.</li>
<li>In opinions shown in public, phone numbers, e-mail addresses, ID, QQ, WeChat and bank numbers, licence plates, exact home addresses and names next to an address are removed; an opinion in which the system finds such details is shown only after a staff member has reviewed it. Your original text is kept unchanged in the register; staff screens and exports show the masked text.</li>
<li>Opinions carry no identity and are kept as a record of the decision process under archive rules; published figures hide small counts (below 5) that could point to a person.</li>
<li>When you withdraw consent to be quoted, your words are no longer shown in public.</li>
</ul>
<h2>Entrusted processors</h2>
<p>No other organisation currently processes personal information for this site. If technical operation is entrusted to a service provider, we will name it here with what it does and for how long, bind it by contract to protect the information and supervise it; it may not use the information for anything else. All data is stored within the People’s Republic of China.</p>
<h2>Your rights and how to use them</h2>
<ul>
<li><strong>See, change or withdraw your opinion:</strong> until the closing date, your receipt code lets you see, change or withdraw it; a withdrawn opinion is only counted as “withdrawn”: its text stays in the register only as a record and is no longer shown, searched, coded, exported or used in any figure. The code is never part of a web address: you type it into the look-up form, so it stays out of browser history and server logs.</li>
<li><strong>Withdraw consent:</strong> while the consultation is open, edit your opinion with your receipt code to remove the permission to quote you; withdrawing the opinion deletes your contact details at once; otherwise ask us to do it. Withdrawal does not affect processing already done with your consent.</li>
<li><strong>Access and copy, correction, deletion, explanation:</strong> under Articles 44 to 48 of the Personal Information Protection Law you can ask the personal information protection officer. We check that the request matches the receipt code and reply within 15 working days.</li>
<li>If you disagree with how we handle your information, you can also complain to the authority responsible for personal information protection.</li>
</ul>
<h2>Security</h2>
<p>Contact details are kept apart from opinions and encrypted. Only the program that sends answers reads them automatically. A privacy officer can see one only after stating the legal basis and reason and being approved by a second officer or a site administrator, and then only once; every access is written to a tamper-evident log. Analysts see only opinions and figures.</p>
<h2>Contact us</h2>
<p>Personal information protection officer: {contact}</p>
""".strip(),
)


ACCESSIBILITY = PageText(
    slug="accessibility",
    title="无障碍声明",
    title_en="Accessibility statement",
    body="""
<p>我们希望每个人都能读懂征求意见的内容并方便地提出意见，包括老年人和残障人士。</p>
<h2>我们的目标</h2>
<p>本网站的公共页面以符合国家标准 GB/T 37668-2019《信息技术 互联网内容无障碍可访问性技术要求与测试方法》<strong>第二级</strong>为目标，两者要求不同时参照 WCAG 2.2 AA 级。每次更新都会自动检查，每次发布新版本前进行人工检查。</p>
<h2>已经提供的功能</h2>
<ul>
<li>三档字号（标准、大、特大）和高对比度模式，在每个页面顶部切换，不依赖浏览器或操作系统设置，选择会被记住；</li>
<li>“朗读本页”按钮，使用您设备自带的语音朗读（浏览器支持时显示），可随时停止；</li>
<li>所有页面和意见表在关闭JavaScript时也能使用，可以完全用键盘操作，焦点位置清晰可见；</li>
<li>不使用图形验证码、拖动验证码，没有广告和弹窗；</li>
<li>每项征集都有通俗版说明，状态用文字标明，不只靠颜色区分；</li>
<li>在手机上（宽度360像素起）无需左右滚动即可阅读；</li>
<li>不方便上网的，可以通过电话、信件或当面提出意见。</li>
</ul>
<h2>已知的不足</h2>
<p>部分附件（例如扫描的PDF文件）可能无法被读屏软件读取。如需要无障碍版本或纸质版本，请联系该征集的承办单位，我们会尽快提供。</p>
<h2>反馈问题</h2>
<p>如果您在使用本网站时遇到困难，请告诉我们您访问的页面和遇到的问题。可以拨打征集页面上的电话，或写信、来访。我们会在10个工作日内答复，并在修复前用其他方式帮助您提出意见。</p>
""".strip(),
    body_en="""
<p>We want everyone to be able to understand the proposals and give their opinion easily, including older people and people with disabilities.</p>
<h2>Our target</h2>
<p>The public pages of this site aim to meet <strong>level 2</strong> of the national standard GB/T 37668-2019 (Information technology — Technical requirements and testing methods for accessibility of Internet content), with WCAG 2.2 level AA where the two differ. Every change is checked automatically, and each release is checked by hand before it goes live.</p>
<h2>What the site offers</h2>
<ul>
<li>three text sizes (standard, large, extra large) and a high-contrast mode, at the top of every page, independent of browser or system settings, and remembered;</li>
<li>a “Read this page aloud” button using your device’s own speech (shown when your browser supports it), which you can stop at any time;</li>
<li>every page and the opinion form work with JavaScript turned off and with the keyboard alone, with a clearly visible focus;</li>
<li>no picture or slider CAPTCHAs, no advertising and no pop-ups;</li>
<li>a plain-language summary for every consultation; statuses are written in words, never shown by colour alone;</li>
<li>pages can be read on phones from 360 pixels wide without scrolling sideways;</li>
<li>if the internet is hard for you, you can give your opinion by phone, letter or in person.</li>
</ul>
<h2>Known limitations</h2>
<p>Some attachments, such as scanned PDF files, may not work with screen readers. Ask the department for an accessible or paper version and we will provide it as soon as we can.</p>
<h2>Report a problem</h2>
<p>If something on this site is hard to use, tell us the page and the problem. Phone the number on the consultation page, write or come in person. We reply within 10 working days and, until it is fixed, help you give your opinion another way.</p>
""".strip(),
)


METHODOLOGY = PageText(
    slug="methodology",
    title="我们如何统计和分析意见",
    title_en="How we count and analyse opinions",
    body="""
<h2>每一条意见都被计入</h2>
<p>您通过网站、电话、信件、来访、座谈会、实地走访、电子邮件或 12345 热线提出的意见，都进入同一本意见登记册，并得到同一种回执编号。所有统计都直接从登记册计算，同一个计算方法用于工作人员的分析页面、导出文件和公开的意见采纳情况说明，所以各处数字一致、可以相互核对。</p>
<ul>
<li><strong>收到的意见</strong>：登记册中的全部意见。</li>
<li><strong>撤回的意见</strong>：在征集期内由本人用回执编号撤回的意见。它们保留在登记册中，并在说明中按渠道公布数量，但不再计入立场、主题、条款等统计——提意见的人已经收回了它。</li>
<li><strong>计入分析的意见</strong> = 收到的意见 − 撤回的意见。</li>
<li><strong>不公开展示的意见同样计入。</strong> 如果某项征集公开展示意见原文，工作人员会先审核，隐去含有人身攻击、个人信息等内容的意见。审核只决定页面上显示什么，不改变任何统计数字。</li>
<li>线下意见按实际收到的日期计入时间统计；网站意见按北京时间的提交日期计入。</li>
</ul>
<h2>内容相同或相近的意见</h2>
<p>很多人使用同一份倡议书或相近的文字提出意见，是正常的参与方式。系统会把完全相同和高度相似的意见归为“批量意见组”，供工作人员整体阅读和答复。<strong>每一条意见照常计数，不因为属于批量意见而减少或合并</strong>；说明中会同时写明“共 N 条意见，M 种不同文本，K 个批量意见组”，让您看到完整情况。</p>
<h2>主题</h2>
<p>工作人员逐条阅读意见，按主题归类（例如“健康”“选址”“补偿”）。一条意见可以涉及多个主题，这时它在每个相关主题下各计一次，因此各主题的意见数相加可能大于意见总数。与本次征集无关的意见会标为“无主题”并写明理由；每一条意见最终都有主题或“无主题”的结论，然后才能发布答复。</p>
<h2>系统建议始终由人决定</h2>
<p>为了帮助工作人员处理大量意见，系统可以给出建议：把相近的意见聚在一起，提出可能的新主题及其关键词；在工作人员已经归类足够多的意见后，为其余意见建议主题并给出可信度。<strong>建议本身不会改变任何归类或统计</strong>：每一条建议都由工作人员接受或拒绝，建议和决定都留有记录。系统不会自行判断风险等级，也不会给任何人或任何意见打分。</p>
<h2>保护个人信息</h2>
<ul>
<li>统计和导出文件中没有姓名、联系方式和回执编号；意见原文中的电话号码、电子邮箱、身份证号等会被遮盖。</li>
<li>对承办部门分析员以外的任何人展示的分项统计，<strong>小于 5 的数字显示为“&lt;5”</strong>；如果同一行只有一个数字被隐藏，会再隐藏一个，防止用合计反推。合计数字始终准确。这样，即使在一个小村庄，也无法从统计表推断出某个人的意见。</li>
<li>您留下的联系方式单独加密保存，只用于告知您答复结果（以及之后如开展决策后评估，告知评估已开始），并在答复公布 90 天后删除。</li>
</ul>
<p>---</p>
""".strip(),
    body_en="""
<h2>Every opinion counts</h2>
<p>Opinions given on the website, by phone, letter, in person, at a symposium, during a field visit, by e-mail or through the 12345 hotline all go into one register of opinions and get the same kind of receipt code. Every figure is computed from that register, and the same calculation is used for the staff's analysis pages, the exports and the published response, so the numbers agree everywhere and can be checked against each other.</p>
<ul>
<li><strong>Received</strong>: every opinion in the register.</li>
<li><strong>Withdrawn</strong>: opinions their authors took back with their receipt code during the period. They stay in the register and their number is published per channel, but they are no longer counted in the stance, theme or clause figures: the person who gave them withdrew them.</li>
<li><strong>Counted</strong> = received − withdrawn.</li>
<li><strong>Opinions not shown in public are still counted.</strong> Where a consultation shows opinions in public, staff moderate them first and keep back those with personal attacks, personal data and the like. Moderation only decides what a page shows; it never changes a count.</li>
<li>Offline opinions count on the day they were received; web opinions on their date in Beijing time.</li>
</ul>
<h2>Identical and similar opinions</h2>
<p>Many people using the same petition letter or similar wording is a normal way to take part. The system groups identical and near-identical opinions into "campaign groups" so that staff can read and answer them together. <strong>Each opinion still counts once, like any other; campaigns are neither discounted nor merged.</strong> The response states "N opinions, M distinct texts, K campaign groups" so that you can see the whole picture.</p>
<h2>Themes</h2>
<p>Staff read every opinion and code it with themes (for example "health", "siting", "compensation"). An opinion can be about several themes; it then counts once under each, so the theme figures can add up to more than the number of opinions. An opinion about nothing in the consultation is marked "no theme" with a reason. Every opinion ends with themes or "no theme" before the response can be published.</p>
<h2>Suggestions are always decided by people</h2>
<p>To help with many opinions, the system can suggest: it groups similar opinions and proposes possible new themes with their keywords, and once staff have coded enough opinions it suggests themes for the rest with a confidence. <strong>A suggestion changes no coding and no figure by itself</strong>: each one is accepted or rejected by a member of staff, and both the suggestion and the decision are kept. The system never decides a risk level by itself and never scores a person or an opinion.</p>
<h2>Protecting personal information</h2>
<ul>
<li>Figures and exports contain no names, contact details or receipt codes; phone numbers, e-mail addresses and ID numbers inside opinion texts are masked.</li>
<li>In every breakdown shown to anyone other than the responsible department's analysts, <strong>counts under 5 are shown as "&lt;5"</strong>; where only one count of a row would be hidden, another is hidden too, so it cannot be worked out from the total. Totals are always exact. This way no one's opinion can be inferred from a table, even in a small village.</li>
<li>Contact details you leave are stored apart, encrypted, used only to tell you about the answer (and, should a post-decision evaluation open later, that it has), and deleted 90 days after the response is published.</li>
</ul>
""".strip(),
)


STANDARD_PAGES = (HOW_TO_TAKE_PART, PRIVACY, ACCESSIBILITY, METHODOLOGY)

# Used until the deployment sets TINGJIAN_PRIVACY_CONTACT / TINGJIAN_PRIVACY_CONTACT_EN.
DEFAULT_PRIVACY_CONTACT = (
    "本网站运营机关个人信息保护负责人；电话：12345政务服务便民热线"
    "（请说明“意见征集网站个人信息保护”），或写信至本网站运营机关，信封注明“个人信息保护”。"
)
DEFAULT_PRIVACY_CONTACT_EN = (
    "the personal information protection officer of the authority that runs this site; "
    "phone the 12345 government service hotline (say “consultation website, personal "
    "information”) or write to the authority marked “personal information protection”."
)
