"""What a page without a publication time still says of the launch's day (a day clue): read in
the headline, the lead and the sentences right after a short lead, in Arabic digits and in Han
numerals, and never from a span of days or a figure that only looks like a date."""

from __future__ import annotations

import pytest

from monitor.detect.dates import DayClue
from monitor.detect.engine import analyse
from monitor.detect.rules import RuleSet, load_rules
from monitor.models import Article

Clue = tuple[int | None, int | None, int | None]  # (month, day of month, weekday 0 = Monday)

CLUES = [
    # A word for "the same day" is the day named last before it: a visit's day, the launch's.
    (
        "zh: '当天' after '于29日'",
        "美国副总统访韩之际 朝鲜再射导弹",
        "美国副总统于29日对韩国进行访问，并前往非军事区。朝鲜则在当天晚间再次发射两枚短程弹道导弹。",
        (None, 29, None),
    ),
    (
        "ja: '同日' after '29日'",
        "米副大統領の訪韓中に北朝鮮がミサイル発射",
        "米副大統領は29日、韓国を訪れ非武装地帯を視察した。北朝鮮は同日夜、弾道ミサイル2発を発射した。",
        (None, 29, None),
    ),
    (
        "ko: '이날' after '29일'",
        "미 부통령 방한 중 북한 탄도미사일 발사",
        "미국 부통령은 29일 비무장지대를 찾았다. "
        "북한은 이날 저녁 단거리 탄도미사일 2발을 발사했다.",
        (None, 29, None),
    ),
    # Not a day still to come, nor a span's end.
    (
        "ko: '이날' after '14일까지' (a drill's last day)",
        "북한, 연합훈련 중 탄도미사일 발사",
        "한미 연합훈련은 지난 4일 시작돼 14일까지 진행된다. "
        "북한은 이날 오전 동해상으로 단거리 탄도미사일 1발을 발사했다.",
        None,
    ),
    (
        "zh: '当天' after '下月2日' (a meeting next month)",
        "朝鲜发射弹道导弹",
        "韩美防长下月2日将在首尔会谈。朝鲜当天凌晨向东部海域发射一枚弹道导弹。",
        None,
    ),
    # A full date a later sentence gives that the headline's own day rules out is another
    # launch's (the one before): the page still says only "Sunday, 4 January".
    (
        "id: 'Minggu (04/01)', then the last launch's date",
        "Korea Utara meluncurkan rudal balistik ke Laut Timur pada hari Minggu (04/01) pagi.",
        "Korea Utara meluncurkan sebuah rudal balistik ke Laut Timur pada hari Minggu (04/01) "
        "pagi. Rudal balistik sebelumnya diluncurkan pada 7 November 2025.",
        (1, 4, 6),
    ),
    (
        "de: 'am Sonntag (4. Januar)', then the last launch's date",
        "Nordkorea feuerte am Sonntag (4. Januar) eine ballistische Rakete ab.",
        "Nordkorea feuerte am Sonntag (4. Januar) eine ballistische Rakete ab. Die letzte Rakete "
        "feuerte das Land am 7. November 2025 ab.",
        (1, 4, 6),
    ),
    # A day after a word for "since" says when a span began, not the launch's day.
    (
        "fr: 'depuis le 7 octobre' is when a span began",
        "Le Hezbollah tire un missile balistique sur Tel-Aviv",
        "Le Hezbollah a tiré un missile balistique vers Tel-Aviv, une première depuis le "
        "7 octobre.",
        None,
    ),
    (
        "de: 'seit dem 7. Oktober' is when a span began",
        "Hisbollah feuert ballistische Rakete auf Tel Aviv",
        "Die Hisbollah hat eine ballistische Rakete auf Tel Aviv abgefeuert, zum ersten Mal seit "
        "dem 7. Oktober.",
        None,
    ),
    (
        "es: 'desde el 7 de octubre' is when a span began",
        "Hezbolá lanza un misil balístico contra Tel Aviv",
        "Hezbolá lanzó un misil balístico contra Tel Aviv, por primera vez desde el 7 de octubre.",
        None,
    ),
    (
        "ar: 'منذ 7 أكتوبر' is when a span began",
        "حزب الله يطلق صاروخا باليستيا على تل أبيب",
        "أطلق حزب الله صاروخا باليستيا على تل أبيب للمرة الأولى منذ 7 أكتوبر.",
        None,
    ),
    (
        "ru: 'с 7 октября' is when a span began",
        "Хезболла выпустила баллистическую ракету по Тель-Авиву",
        "Хезболла выпустила баллистическую ракету по Тель-Авиву впервые с 7 октября.",
        None,
    ),
    (
        "tr: '7 Ekim'den bu yana' is when a span began",
        "Hizbullah Tel Aviv'e balistik füze fırlattı",
        "Hizbullah, 7 Ekim'den bu yana ilk kez Tel Aviv'e balistik füze fırlattı.",
        None,
    ),
    (
        "id: 'sejak 7 Oktober' is when a span began",
        "Hizbullah tembakkan rudal balistik ke Tel Aviv",
        "Hizbullah menembakkan rudal balistik ke arah Tel Aviv, pertama kali sejak 7 Oktober.",
        None,
    ),
    (
        "ja: the day in the sentence after a one-line lead",
        "北朝鮮が弾道ミサイルを発射",
        "政府は北朝鮮が弾道ミサイルを発射したと発表した。防衛省によると、9日朝に北朝鮮西岸"
        "付近から弾道ミサイル1発が発射され、日本海に落下したとみられる。",
        (None, 9, None),
    ),
    (
        "ja: of two days, the one next to the act ('the minister on the 8th ... fired on the 7th')",
        "北朝鮮の弾道ミサイル、新型か",
        "官房長官は8日、北朝鮮が7日に発射した弾道ミサイルについて、新型の可能性があるとの見方を"
        "示した。",
        (None, 7, None),
    ),
    (
        "zh: a day of the month in Han numerals",
        "伊朗向以色列发射大批弹道导弹",
        "据报道，当地时间十六日凌晨，伊朗向以色列发射了大批弹道导弹，以方启动防空系统拦截。",
        (None, 16, None),
    ),
    (
        "zh: twenty-one in Han numerals",
        "朝鲜发射一枚弹道导弹",
        "韩国军方称，朝鲜二十一日上午向东部海域发射了一枚弹道导弹。",
        (None, 21, None),
    ),
    (
        "hi: the weekday two sentences after the lead",
        "भारत ने सुपरसोनिक क्रूज मिसाइल का सफल परीक्षण किया",
        "नई दिल्ली। भारत की नौसेना ने एक और परीक्षण पूरा किया। यह मिसाइल एक युद्धपोत से दागी गई। "
        "शुक्रवार को हुए इस परीक्षण में मिसाइल ने लक्ष्य को सटीक निशाना बनाया।",
        (None, None, 4),
    ),
    (
        "zh: three days running is not the 3rd",
        "朝鲜连续发射弹道导弹",
        "朝鲜三日间连续向东部海域发射弹道导弹，韩国军方表示将加强警戒。",
        None,
    ),
    (
        "pl: a night across two days (13/14) names no month: the weekday stays",
        "Iran zaatakował Izrael rakietami",
        "Iran zaatakował Izrael w nocy z soboty na niedzielę (13/14) setkami rakiet i dronów.",
        (None, None, 5),
    ),
    (
        "ar: 'today, Thursday' names the page's day, so 'yesterday' is Wednesday",
        "بيونغ يانغ تعلن إطلاق صاروخ باليستي",
        "أعلنت كوريا الشمالية اليوم الخميس أنها أطلقت أمس صاروخا باليستيا جديدا سقط في البحر.",
        (None, None, 2),
    ),
    (
        "ko: 'today (the 13th)' and 'yesterday' give the 12th",
        "북한, 동해상으로 탄도미사일 발사",
        "합동참모본부는 오늘(13일) 북한이 어제 오후 동해상으로 탄도미사일 한 발을 쐈다고 밝혔다.",
        (None, 12, None),
    ),
    (
        "en: 'today, Monday' and 'the day before yesterday' give Saturday",
        "North Korea says it test-fired a cruise missile",
        "North Korea said today, Monday, that it test-fired a new cruise missile the day before "
        "yesterday off its west coast.",
        (None, None, 5),
    ),
    (
        "ru: 'today, 1 March' and 'yesterday' give February (its last day, in a year not said)",
        "КНДР запустила баллистическую ракету",
        "Сегодня, 1 марта, в Сеуле сообщили, что КНДР вчера запустила баллистическую ракету "
        "в сторону Японского моря.",
        (2, None, None),
    ),
    (
        "ja: 'the day before' counted back from the day the report is dated by",
        "北朝鮮、新型ICBMの発射成功と発表",
        "北朝鮮の国営メディアは9日、前日に発射した大陸間弾道ミサイルについて、新型だと主張した。",
        (None, 8, None),
    ),
    (
        "ja: a day back from the 1st is the last of a month not named: no clue",
        "北朝鮮、新型ICBMの発射成功と発表",
        "北朝鮮の国営メディアは1日、前日に発射した大陸間弾道ミサイルについて、新型だと主張した。",
        None,
    ),
    (
        "ja: the day before told after the act is an earlier launch's: the act's day stands",
        "北朝鮮、4日も弾道ミサイル発射…前日の20発超に続き",
        "北朝鮮は4日もミサイルを発射した。前日に20発以上を撃ったのに続く挑発だ。",
        (None, 4, None),
    ),
    (
        "ja: a day told in Japan's time is not Tehran's: no clue",
        "イランがイスラエルに弾道ミサイル攻撃",
        "イランによるイスラエルへの攻撃は日本時間の2日未明に始まり、イスラエル全土で警報が出された。",
        None,
    ),
    (
        "ja: Japan's time is Pyongyang's: the day stands",
        "北朝鮮が弾道ミサイル発射",
        "北朝鮮は日本時間の3日午前7時40分ごろ、日本海に向けて弾道ミサイル1発を発射した。",
        (None, 3, None),
    ),
    (
        "en: 'the previous day' counted back from the weekday the statement is dated by",
        "Pyongyang says it tested a new solid-fuel missile",
        "State media said on Friday that the previous day the country fired a new solid-fuel "
        "missile, calling the test a success.",
        (None, None, 3),
    ),
    (
        "ko: the day before counted back from the day the agency's report is dated by",
        '북한 "신형 극초음속 미사일 시험발사 성공"',
        "북한 조선중앙통신은 3일 새로 개발한 극초음속 탄도미사일의 시험발사에 성공했다고 "
        "밝혔다. 통신은 김정은 국무위원장이 첫 시험발사를 전날 현지에서 지도했다고 보도했다.",
        (None, 2, None),
    ),
    (
        "ja: the agency's day as the subject's is the report's, not the launch's",
        "北朝鮮、新型ミサイルの発射成功と発表",
        "北朝鮮の朝鮮中央通信は3日、新型の中長距離極超音速ミサイルの試験発射に成功したと報じた。",
        None,
    ),
    (
        "vi: 'one day before' counted back from the day the agency's report is dated by",
        "Triều Tiên thử tên lửa hành trình",
        "Hãng thông tấn trung ương Triều Tiên ngày 12/5 đưa tin quân đội nước này một ngày "
        "trước đã phóng thử tên lửa hành trình chiến lược ngoài khơi bờ biển phía tây.",
        (5, 11, None),
    ),
    (
        "fa: a weekday written without the zero-width non-joiner, after 'said that'",
        "حمله موشکی سپاه به مواضع یک گروه مسلح",
        "رسانههای رسمی گفتند که ایران روز سهشنبه با موشکهای بالستیک مواضع یک گروه مسلح را "
        "آن سوی مرز هدف قرار داد.",
        (None, None, 1),
    ),
    (
        "fa: a Persian day without its year still names the Gregorian month ('26 Dey': January)",
        "حمله موشکی سپاه به مواضع یک گروه مسلح",
        "سپاه پاسداران بامداد ۲۶ دی ماه با موشک‌های بالستیک مواضع یک گروه مسلح را آن سوی مرز "
        "هدف قرار داد.",
        (1, None, None),
    ),
    (
        "vi: a day and a month with a dot after 'ngày'",
        "Triều Tiên phóng tên lửa đạn đạo",
        "Quân đội Hàn Quốc cho biết Triều Tiên đã phóng một tên lửa đạn đạo vào sáng ngày 16.4 "
        "từ bờ biển phía đông.",
        (4, 16, None),
    ),
    (
        "vi: a day and a month with a dot in brackets",
        "Triều Tiên phóng tên lửa bay qua Nhật Bản",
        "Sáng nay (29.8), Bình Nhưỡng phóng một tên lửa đạn đạo bay qua lãnh thổ Nhật Bản.",
        (8, 29, None),
    ),
    (
        "vi: 'the same day' counted from the day the sentence dates the report by",
        "Triều Tiên phóng tên lửa đạn đạo ra biển",
        "Ngày 9/3, hãng thông tấn Yonhap đưa tin Triều Tiên cùng ngày đã phóng hai tên lửa đạn "
        "đạo tầm ngắn ra vùng biển phía tây.",
        (3, 9, None),
    ),
    (
        "vi: 'the day before' counted from the day the sentence dates the report by",
        "Triều Tiên phóng tên lửa hành trình",
        "Ngày 9/3, truyền thông nhà nước đưa tin Triều Tiên một ngày trước đã phóng thử tên lửa "
        "hành trình chiến lược.",
        (3, 8, None),
    ),
    (
        "uk: 'спробували завдати удару' is the act whose night dates it",
        "Росія випустила по Києву понад двадцять ракет",
        "Російські війська спробували завдати масованого ракетного удару по столиці в ніч на "
        "8 березня.",
        (3, 8, None),
    ),
    (
        "ko: the day counted from ('지난 5일 ... 발사한 지 이틀 만에') is the launch before",
        "북한, 또 탄도미사일 발사",
        "북한이 지난 5일 동해상으로 순항미사일 두 발을 발사한 지 이틀 만에 다시 미사일을 쐈다. "
        "합참은 북한이 7일 오전 탄도미사일 1발을 발사했다고 밝혔다.",
        (None, 7, None),
    ),
    (
        "vi: 'ngày 14' alone is the 14th",
        "Triều Tiên phóng tên lửa đạn đạo",
        "Triều Tiên ngày 14 đã phóng một tên lửa đạn đạo ra biển, theo quân đội Hàn Quốc.",
        (None, 14, None),
    ),
    (
        "vi: a date the told act follows at once is the act's, though a report word precedes",
        "Triều Tiên phóng tên lửa đạn đạo",
        "Quân đội Hàn Quốc cho biết Triều Tiên ngày 14 đã phóng một tên lửa đạn đạo ra biển.",
        (None, 14, None),
    ),
    (
        "vi: 'từ ngày 7' is when a span began",
        "Triều Tiên phóng tên lửa đạn đạo",
        "Triều Tiên đã phóng một tên lửa đạn đạo, lần đầu tiên kể từ ngày 7.",
        None,
    ),
    (
        "vi: a month written as a word ('ngày 6 tháng Ba')",
        "Nhật Bản phản đối việc Bắc Hàn phóng tên lửa",
        "Chính phủ Nhật Bản nói việc Triều Tiên phóng ba tên lửa đạn đạo vào ngày 6 tháng Ba là "
        "mối đe dọa nghiêm trọng.",
        (3, 6, None),
    ),
    # Brazilian and Spanish-language outlets give the day of the month in brackets after the
    # weekday.
    (
        "pt: 'nesta terça-feira (1º)' is Tuesday the 1st",
        "Irã lança mísseis contra Israel",
        "Nesta terça-feira (1º), o Irã lançou dezenas de mísseis balísticos contra Israel.",
        (None, 1, 1),
    ),
    (
        "es: 'este martes (15)' is Tuesday the 15th",
        "Corea del Norte lanza un misil balístico",
        "Corea del Norte lanzó este martes (15) un misil balístico hacia el mar de Japón.",
        (None, 15, 1),
    ),
    # A photo caption's day, its credit after it, is a file picture's; a day an earlier
    # launch is told by ("... 'deki ilk atışı", its first firing) is that one's.
    (
        "vi: a caption's day before its photo credit",
        "Triều Tiên phóng tên lửa ra biển",
        "Ngày 7/11, quân đội Hàn Quốc nói Triều Tiên đã phóng một tên lửa đạn đạo ra biển.\n\n"
        "Một vụ phóng tên lửa của Triều Tiên ngày 18/12/2023. Ảnh: TTXVN",
        (11, 7, None),
    ),
    (
        "tr: the first firing's day",
        "Tayfun füzesi yeniden fırlatıldı",
        "Türkiye, Tayfun füzesini yeniden fırlattı. Füzenin 18 Ekim 2022'deki ilk atışı komşu "
        "ülkelerde tepki çekmişti.",
        None,
    ),
    # Taiwanese papers give the day of the month in brackets after "today" and "yesterday".
    (
        "zh: '今(8)日' is the 8th",
        "北韓再射彈道飛彈",
        "日本防衛省今(8)日表示，北韓朝日本海方向發射一枚彈道飛彈。",
        (None, 8, None),
    ),
    (
        "id: the day state media said it ('kata media pemerintah pada hari Jumat') is no clue",
        "Korea Utara uji rudal baru",
        "Korea Utara melakukan uji coba rudal balistik antarbenua Hwasong-19 yang baru, kata "
        "media pemerintah pada hari Jumat.",
        None,
    ),
    (
        "id: a day and a weekday far apart in one sentence are not one day told two ways",
        "Korea Utara uji rudal baru",
        "Menurut kantor berita pemerintah pada Jumat, Kim Jong Un meninjau langsung uji coba "
        "rudal Hwasong-19 itu pada 31 Oktober pagi.",
        (10, 31, None),
    ),
    (
        "it: an agency's dateline ('(ANSA) - ROMA, 06 GEN -') dates the report: no clue",
        "Test missilistico",
        "(ANSA) - ROMA, 06 GEN - La Corea del Nord ha effettuato un test di lancio di un missile "
        "ipersonico, ha riferito la KCNA.",
        None,
    ),
    (
        "ur: a dateline with an underscore and a desk in brackets dates the report: no clue",
        "پاکستان پر ایرانی میزائل حملہ",
        "کراچی _ 18 جنوری ( نیوز ڈیسک) ایران نے بلوچستان میں دو میزائل داغے ہیں۔",
        None,
    ),
    (
        "hi: an agency's dateline without a dash ('नई दिल्ली, 18 जनवरी (एजेंसी)'): no clue",
        "ईरान ने पाकिस्तान पर दागी मिसाइलें",
        "नई दिल्ली, 18 जनवरी (एजेंसी) ईरान ने पाकिस्तान के बलूचिस्तान में मिसाइलें दागीं।",
        None,
    ),
    (
        "id: a day in brackets after the date is no agency: 'Jumat, 17 Januari (waktu "
        "setempat)' stays the launch's",
        "Korea Utara tembakkan rudal",
        "Pada Jumat, 17 Januari (waktu setempat), Korea Utara menembakkan rudal balistik ke "
        "Laut Timur.",
        (1, 17, 4),
    ),
    (
        "he: 'היום (ג')' names the day by its letter: Tuesday",
        "החות'ים שיגרו טיל בליסטי לעבר אילת",
        "החות'ים הודיעו היום (ג') כי שיגרו לפנות בוקר טיל בליסטי לעבר אילת.",
        (None, None, 1),
    ),
    (
        "zh: '昨（7）日' is the 7th",
        "北韓再射彈道飛彈",
        "北韓昨（7）日深夜朝東部海域發射兩枚短程彈道飛彈。",
        (None, 7, None),
    ),
]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(None)


@pytest.mark.parametrize(
    ("title", "text", "clue"), [c[1:] for c in CLUES], ids=[c[0] for c in CLUES]
)
def test_day_clue_of_an_undated_page(rules: RuleSet, title: str, text: str, clue: Clue) -> None:
    page = Article(
        id="p:1", url="https://news.example/p/1", title=title, text=text, published=None, outlet="X"
    )
    detection = analyse(page, rules).detection
    assert detection is not None
    assert detection.event_date is None
    assert detection.day_clue == clue


def test_yesterday_alone_says_nothing_of_the_day(rules: RuleSet) -> None:
    page = Article(
        id="p:2",
        url=None,
        title="North Korea fires a ballistic missile",
        text="North Korea fired a ballistic missile yesterday, South Korea's military said.",
        published=None,
        outlet="X",
    )
    detection = analyse(page, rules).detection
    assert detection is not None and detection.day_clue is None


@pytest.mark.parametrize(
    ("clue", "days", "earlier"),
    [
        (DayClue(weekday=0), 1, DayClue(weekday=6)),
        (DayClue(3, 1, 2), 1, DayClue(2, None, 1)),  # February's last day: 28th or 29th
        (DayClue(1, 1), 2, DayClue(12, 30)),
        (DayClue(day=13), 1, DayClue(day=12)),
        (DayClue(day=1), 1, None),  # the month before, of unknown length
    ],
)
def test_a_clue_counted_back(clue: DayClue, days: int, earlier: DayClue | None) -> None:
    assert clue.back(days) == earlier
