"""Texts behind the golden fixtures and the quality check of scripts/model-use.

Written for this script (shops of other trades than the evaluation sets' bike shop and
bakery; nothing copied from tests/fixtures/bot_eval/). TOKENIZER is every text the
golden-id fixture holds; CHECK_EN / CHECK_ZH are the sentences whose embeddings are
compared with the package's own forward pass; EMBEDDING is the short list whose int8
embeddings go into tests/fixtures/embedding_golden.json.
"""

CHECK_EN = [
    "When are you open on Sundays?",
    "what r ur opening hours",
    "Do you ship to Canada?",
    "How much is shipping to Germany?",
    "Can I return a jacket that doesn't fit? I bought it last week in your store.",
    "My order hasn't arrived yet, where is it?",
    "Do you sell gift cards?",
    "Is there a discount for students?",
    "I need to talk to a real person please",
    "this bot is useless",
    "hi",
    "thanks a lot, bye!",
    "Are you a robot?",
    "Can I pay with PayPal or Apple Pay?",
    "How long does the warranty last on headphones?",
    "Do you have this dress in size M?",
    "Can I change the delivery address after ordering?",
    "Is the restaurant wheelchair accessible?",
    "Do you have vegan options on the menu?",
    "Can I book a table for 6 people tonight at 8pm?",
    "The screen of my phone is cracked, can you fix it?",
    "How do I track my parcel?",
    "wat is the refund policy",
    "Do you deliver on weekends?",
    "Where can I park near the shop?",
    "Is the laptop charger included in the box?",
    "I was charged twice for order #48213",
    "Can I cancel my subscription?",
    "What's the weather like today?",
    "Tell me a joke",
]

CHECK_ZH = [
    "你们周日几点开门？",
    "运费多少钱",
    "可以寄到加拿大吗？",
    "衣服不合适可以退货吗？我上周在店里买的。",
    "我的订单还没到，现在在哪里？",
    "你们卖礼品卡吗",
    "学生有折扣吗？",
    "我要找人工客服",
    "这个机器人太垃圾了",
    "你好",
    "谢谢，再见！",
    "你是机器人吗？",
    "可以用微信支付或者支付宝吗？",
    "耳机保修多久？",
    "这条裙子有M码吗",
    "下单以后可以改收货地址吗？",
    "餐厅有无障碍通道吗？",
    "菜单上有素食吗",
    "今晚八点能订一张六个人的桌子吗？",
    "手机屏幕碎了，能修吗？",
    "怎么查快递到哪了",
    "退款政策是什么",
    "周末送货吗？",
    "店附近哪里可以停车？",
    "笔记本的充电器在盒子里吗",
    "订单48213被扣了两次钱",
    "今天天气怎么样",
    "给我讲个笑话",
]

MIXED = [
    "DHL 几天到",
    "能用 Apple Pay 吗",
    "iPhone 15 的屏幕多少钱换",
    "有 XL 码吗？",
    "可以用 PayPal 付款吗",
    "我的 order number 是 A1234",
    "Do you accept 支付宝?",
    "What does 包邮 mean?",
    "UPS 还是 FedEx 比较快",
    "size L 还有货吗",
    "退货要付 shipping fee 吗",
    "wifi 密码是多少",
    "可以 refund 吗",
    "我想要 gift card",
    "送到 Shanghai 要几天",
    "Is 周日 open?",
    "能开 invoice 吗？",
    "USB-C 充电线有吗",
    "我在 Amazon 上看到更便宜",
    "email 地址写错了怎么办",
]

EMOJI = [
    "thanks 🙏",
    "where is my order?? 😡😡",
    "👍",
    "ok 👌 see you",
    "我要退货😭",
    "谢谢👍👍",
    "❤️ love your shop",
    "🎂 do you do birthday cakes",
    "hi 👋🏽",
    "family 👨‍👩‍👧‍👦 tickets?",
    "🇨🇳 🇺🇸",
    "★★★★★ great service",
    "✓ done",
    "☺",
    "🙂🙂🙂",
]

TYPOS = [
    "wen r u opn",
    "do u shipp to canda",
    "hw much is the shiping",
    "can i retrun my jaket",
    "whre is my ordr",
    "i wnat to tlak to a persn",
    "recieve",
    "definately",
    "adress chnage pls",
    "giftcard avaiable?",
    "wats ur refnd polcy",
    "payement with klarna",
    "discont code not wroking",
    "teh screeen is brokn",
    "cancle my oder",
    "is ther parking",
    "vegan optoins",
    "warrenty for headphnes",
    "deliverry on satruday?",
    "how lnog does delivry take",
    "运非多少钱",
    "可以退货马",
    "我要找认工",
    "周日开们吗",
    "包油吗",
]

EDGE = [
    "",
    " ",
    "   \t\n  ",
    "a",
    "A",
    "?",
    "...",
    "hello   world",
    "  leading and trailing  ",
    "tab\tseparated\twords",
    "new\nline\r\nwindows",
    "<s> </s> <unk>",
    "<s>hello</s>",
    "extra_token_id_1 extra_token_id_2",
    "[CLS] hi [SEP] [PAD] [MASK] [UNK]",
    "▁already▁escaped",
    "ＡＢＣ１２３ full width",
    "ﬁne ﬂower ligatures",
    "café naïve résumé",
    "cafe\u0301 combining accent",
    "Straße Ærø Øl",
    "½ price ™ №5 ①②③",
    "zero\u200bwidth space",
    "joiner\u200d and non\u200cjoiner",
    "nbsp\u00a0here",
    "ideographic\u3000space",
    "soft\u00adhyphen",
    "bidi \u202ereversed\u202c",
    "control \u0007 bell",
    "nul \x00 byte",
    "ひらがなとカタカナ",
    "日本語のテキストです",
    "한국어 텍스트",
    "Привет, как дела?",
    "مرحبا",
    "שלום",
    "สวัสดีครับ",
    "Γειά σου",
    "𠀀𠀁 extension B",
    "繁體中文：請問營業時間？",
    "«quotes» „German“ ‚single‘",
    "em—dash – en dash … ellipsis",
    "1,234.56 € or $99.99 or ¥100",
    "50% off!!!",
    "https://example.com/shop?item=42&size=m",
    "someone@example.com",
    "+1 (555) 012-3456",
    "12:30 pm, 2026-12-05",
    "#48213",
    "@support",
    "C++ and C#",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "asdfghjkl qwertyuiop zxcvbnm",
    "!!!???",
    "。。。",
    "，，，！！",
    "（括号）【方括号】《书名号》",
    "“中文引号”和‘单引号’",
    "一二三四五六七八九十百千万",
    "０１２３４５６７８９",
    "Ⅻ ⅷ",
    "ｶﾀｶﾅ half width kana",
]

LONG = [
    "Hi there, I hope you're having a good day. I bought a pair of running shoes from your "
    "online store about three weeks ago, and while they looked great at first, the sole "
    "started to come off after only a few runs. I still have the receipt and the box. "
    "Could you tell me whether this is covered by your warranty, or whether I should "
    "return them for a refund instead? Also, do I need to pay for the return shipping "
    "myself, or will you send me a label? Thanks so much for your help.",
    "你好，我上个月在你们网店买了一台咖啡机，用了两个星期就坏了，按开关没有任何反应。"
    "我已经试过换插座，也看了说明书上的故障排除，还是不行。请问这种情况可以保修吗？"
    "如果需要寄回去维修，运费是谁出？大概要多久才能修好寄回来？我每天早上都要用，"
    "所以比较着急，谢谢！",
    "ok so basically what happened is i ordered two things a blue hoodie and a pair of "
    "socks and the socks came but the hoodie didnt and the tracking page just says label "
    "created since last tuesday and nobody answers the phone so i dont know what to do "
    "anymore can someone please just tell me if it was even shipped or not",
    "我想问一下 我之前在你们这里订了一个生日蛋糕 但是日期写错了 本来是下周六 写成了这周六 "
    "现在还能改吗 如果不能改的话可以退款吗 另外 蛋糕上的字可以用英文写吗 Happy Birthday Anna",
    " ".join(["word"] * 300),
    "很" * 500,
    "a" * 3000,
    "This is a long message. " * 40,
    "这是一条很长的消息。" * 60,
    ("mixed 中英文 text with 数字 123 and emoji 😀 " * 30).strip(),
]


def _variants(texts):
    """Lower-case, upper-case and space-free forms, which segment differently."""
    out = []
    for t in texts:
        out += [t.lower(), t.upper(), t.replace(" ", "")]
    return out


TOKENIZER = list(dict.fromkeys(
    CHECK_EN + CHECK_ZH + MIXED + EMOJI + TYPOS + EDGE + LONG + _variants(CHECK_EN + MIXED + TYPOS)
))

EMBEDDING = [
    "When are you open on Sundays?",
    "what r ur opening hours",
    "Do you sell gift cards?",
    "I need to talk to a real person please",
    "hi",
    "你们周日几点开门？",
    "运费多少钱",
    "我要找人工客服",
    "DHL 几天到",
    "thanks 🙏",
    "",
    "Can I return a jacket that doesn't fit? I bought it last week in your store.",
]
