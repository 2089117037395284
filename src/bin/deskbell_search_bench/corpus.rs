//! The benchmark's texts: deterministic pseudo-random chat messages in English (60 %),
//! Chinese (30 %) and both (10 %), words drawn with a skew (a few words are very
//! common, most are rare), plus a code in each conversation's first message, so the fixed
//! queries range from "in most messages" to "in one conversation".

/// A small deterministic generator (xorshift64*), so every run writes the same data.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (never zero inside).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// An index below `n`, skewed towards 0 (the square of a uniform draw).
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize % n.max(1)
    }
}

const ENGLISH: &[&str] = &[
    "the",
    "order",
    "my",
    "is",
    "you",
    "please",
    "thanks",
    "hello",
    "when",
    "delivery",
    "parcel",
    "refund",
    "broken",
    "teapot",
    "size",
    "colour",
    "return",
    "shipping",
    "price",
    "discount",
    "invoice",
    "address",
    "tracking",
    "payment",
    "card",
    "wrong",
    "missing",
    "cup",
    "mug",
    "kettle",
    "bread",
    "cake",
    "flour",
    "rye",
    "sourdough",
    "cinnamon",
    "voucher",
    "gift",
    "wrapping",
    "tomorrow",
    "today",
    "week",
    "monday",
    "friday",
    "opening",
    "hours",
    "store",
    "pickup",
    "courier",
    "damaged",
    "replacement",
    "exchange",
    "account",
    "password",
    "login",
    "newsletter",
    "subscription",
    "cancel",
    "change",
    "small",
    "large",
    "medium",
    "blue",
    "green",
    "red",
    "ceramic",
    "glass",
    "handle",
    "lid",
    "spout",
    "crack",
    "leak",
    "stain",
    "warranty",
    "receipt",
    "stock",
    "available",
    "backorder",
    "preorder",
    "email",
    "phone",
    "call",
    "question",
    "answer",
    "help",
    "problem",
    "issue",
    "urgent",
    "soon",
    "late",
    "early",
    "morning",
    "evening",
    "weekend",
    "holiday",
    "christmas",
    "birthday",
    "present",
    "box",
    "bag",
    "label",
    "sticker",
];

const CHINESE: &[&str] = &[
    "订单",
    "快递",
    "发货",
    "退款",
    "茶壶",
    "杯子",
    "破损",
    "尺寸",
    "颜色",
    "价格",
    "优惠",
    "发票",
    "地址",
    "付款",
    "银行卡",
    "错误",
    "丢失",
    "面包",
    "蛋糕",
    "明天",
    "今天",
    "周末",
    "营业",
    "时间",
    "门店",
    "自提",
    "快递员",
    "更换",
    "账户",
    "密码",
    "登录",
    "取消",
    "修改",
    "小号",
    "大号",
    "蓝色",
    "红色",
    "陶瓷",
    "玻璃",
    "把手",
    "盖子",
    "裂缝",
    "漏水",
    "保修",
    "收据",
    "库存",
    "有货",
    "预订",
    "邮箱",
    "电话",
    "问题",
    "帮忙",
    "着急",
    "谢谢",
    "你好",
    "请问",
    "什么",
    "时候",
    "到货",
    "礼物",
    "包装",
    "生日",
    "节日",
    "早上",
    "晚上",
    "客服",
];

/// The text of a message of conversation `conversation` (`first`: its first one,
/// which carries the conversation's own code).
pub fn message(rng: &mut Rng, conversation: u64, first: bool) -> String {
    let words = 6 + rng.skewed(14);
    let kind = rng.next() % 10;
    let mut text = String::new();
    for i in 0..words {
        let chinese = match kind {
            0..=5 => false,
            6..=8 => true,
            _ => i % 2 == 1,
        };
        if chinese {
            text.push_str(CHINESE[rng.skewed(CHINESE.len())]);
        } else {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(ENGLISH[rng.skewed(ENGLISH.len())]);
        }
    }
    for _ in 0..2 {
        text.push(' ');
        text.push_str(&synthetic_word(rng));
    }
    if first {
        // A code that occurs in one conversation only.
        text.push_str(&format!(" code{conversation}x"));
    }
    text
}

/// Syllables of the made-up words (none ends in "s", so none is stemmed).
const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "re", "su", "ta", "ven", "dor", "pel", "qui", "zan", "bri", "mon", "tex",
    "ul", "fa",
];
/// Made-up words: names, products, places; a long tail like real chat vocabulary.
pub const SYNTHETIC: usize = 20_000;

/// Made-up word number `i` (distinct for every `i` below 65,536).
pub fn synthetic(i: usize) -> String {
    (0..4).map(|k| SYLLABLES[(i >> (4 * k)) & 15]).collect()
}

/// A made-up word drawn with a strong skew (word 0 most often).
pub fn synthetic_word(rng: &mut Rng) -> String {
    let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    synthetic(((u * u * u) * SYNTHETIC as f64) as usize % SYNTHETIC)
}

/// The fixed queries, from rare to very common, with what each stands for.
pub fn queries() -> Vec<(String, &'static str)> {
    let w = synthetic;
    let mut prefix = w(300);
    prefix.truncate(prefix.len() - 2);
    vec![
        ("code4242x".into(), "one conversation's code"),
        ("code4242x refund".into(), "rare + common"),
        (w(5000), "rare made-up word"),
        (w(300), "made-up word, ~500 messages"),
        (w(30), "made-up word, ~2,500 messages"),
        (w(3), "made-up word, ~11,000 messages"),
        (format!("{} {}", w(30), w(300)), "two mid words"),
        (format!("{} teapot", w(30)), "mid + common"),
        (prefix, "prefix of a mid word"),
        ("teapot broken".into(), "two common words"),
        ("the".into(), "most common word"),
        ("茶壶".into(), "Chinese pair"),
        ("茶壶破损".into(), "Chinese run"),
        ("茶".into(), "one Chinese character"),
        ("refund 退款".into(), "mixed"),
    ]
}
