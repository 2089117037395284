//! A visitor's friendly name and colour until they give their own name ("Amber Otter",
//! "琥珀水獭", a colour for the avatar): made from the visitor id alone, so the console,
//! push notifications and emails all call the same visitor the same thing, with no
//! storage. Pure.
//!
//! The word lists and the palette are part of every existing visitor's name: never
//! reorder or remove an entry (a test pins some names); a longer list would rename
//! visitors too, so the lists keep their length.

use serde::Serialize;

use crate::avatar::PALETTE as COLOURS;

/// Adjectives, English and Chinese.
const ADJECTIVES: [(&str, &str); 32] = [
    ("Amber", "琥珀"),
    ("Azure", "蔚蓝"),
    ("Brave", "勇敢"),
    ("Bright", "明亮"),
    ("Calm", "安静"),
    ("Cheerful", "欢快"),
    ("Clever", "聪明"),
    ("Coral", "珊瑚"),
    ("Crimson", "绯红"),
    ("Curious", "好奇"),
    ("Gentle", "温柔"),
    ("Golden", "金色"),
    ("Happy", "快乐"),
    ("Honey", "蜂蜜"),
    ("Indigo", "靛蓝"),
    ("Jade", "翡翠"),
    ("Jolly", "开心"),
    ("Kind", "善良"),
    ("Lively", "活泼"),
    ("Lucky", "幸运"),
    ("Maple", "枫叶"),
    ("Merry", "愉快"),
    ("Misty", "朦胧"),
    ("Mossy", "苔绿"),
    ("Nimble", "敏捷"),
    ("Olive", "橄榄"),
    ("Peach", "蜜桃"),
    ("Quiet", "宁静"),
    ("Silver", "银色"),
    ("Sunny", "晴朗"),
    ("Swift", "迅捷"),
    ("Teal", "青绿"),
];

/// Animals, English and Chinese.
const ANIMALS: [(&str, &str); 32] = [
    ("Otter", "水獭"),
    ("Badger", "獾"),
    ("Beaver", "河狸"),
    ("Crane", "仙鹤"),
    ("Deer", "小鹿"),
    ("Dolphin", "海豚"),
    ("Eagle", "雄鹰"),
    ("Falcon", "猎鹰"),
    ("Finch", "雀鸟"),
    ("Fox", "狐狸"),
    ("Gecko", "壁虎"),
    ("Hare", "野兔"),
    ("Hedgehog", "刺猬"),
    ("Heron", "苍鹭"),
    ("Koala", "考拉"),
    ("Lark", "云雀"),
    ("Lynx", "猞猁"),
    ("Magpie", "喜鹊"),
    ("Marten", "貂"),
    ("Owl", "猫头鹰"),
    ("Panda", "熊猫"),
    ("Penguin", "企鹅"),
    ("Puffin", "海鹦"),
    ("Rabbit", "兔子"),
    ("Robin", "知更鸟"),
    ("Seal", "海豹"),
    ("Sparrow", "麻雀"),
    ("Squirrel", "松鼠"),
    ("Swan", "天鹅"),
    ("Tiger", "老虎"),
    ("Turtle", "海龟"),
    ("Wren", "鹪鹩"),
];

/// A visitor's generated name in both console languages, and their avatar colour.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct VisitorAlias {
    /// "Amber Otter".
    pub en: String,
    /// "琥珀水獭".
    pub zh: String,
    /// Avatar background, `#rrggbb`.
    pub colour: &'static str,
}

impl VisitorAlias {
    /// The name in Chinese (`zh`) or English.
    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }
}

/// SplitMix64's finaliser: neighbouring ids get unrelated names.
fn mix(id: u64) -> u64 {
    let mut z = id.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The friendly name and colour of visitor `id`.
pub fn visitor_alias(id: u64) -> VisitorAlias {
    let bits = mix(id);
    let (adjective_en, adjective_zh) = ADJECTIVES[(bits % 32) as usize];
    let (animal_en, animal_zh) = ANIMALS[((bits >> 8) % 32) as usize];
    VisitorAlias {
        en: format!("{adjective_en} {animal_en}"),
        zh: format!("{adjective_zh}{animal_zh}"),
        colour: COLOURS[((bits >> 16) % COLOURS.len() as u64) as usize],
    }
}

/// What to call a visitor: the name they gave, else their generated one.
pub fn visitor_display_name(id: u64, given: Option<&str>, zh: bool) -> String {
    match given.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None => visitor_alias(id).name(zh).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_forever() {
        // Pinned: a changed list or mix would rename every visitor of every shop.
        let pinned: Vec<_> = (1..=3).map(visitor_alias).collect();
        let shown: Vec<_> = pinned
            .iter()
            .map(|a| (a.en.as_str(), a.zh.as_str(), a.colour))
            .collect();
        assert_eq!(shown, PINNED);
    }

    const PINNED: [(&str, &str, &str); 3] = [
        ("Azure Swan", "蔚蓝天鹅", "#1d4ed8"),
        ("Indigo Puffin", "靛蓝海鹦", "#7c3aed"),
        ("Honey Lark", "蜂蜜云雀", "#047857"),
    ];

    #[test]
    fn neighbours_differ_and_names_spread_over_the_lists() {
        let names: std::collections::HashSet<_> =
            (1..=200).map(|id| visitor_alias(id).en).collect();
        assert!(names.len() > 150, "{} distinct names in 200", names.len());
        for id in 1..100 {
            assert_ne!(visitor_alias(id).en, visitor_alias(id + 1).en, "{id}");
        }
        let colours: std::collections::HashSet<_> =
            (1..=200).map(|id| visitor_alias(id).colour).collect();
        assert_eq!(colours.len(), COLOURS.len());
    }

    #[test]
    fn a_given_name_wins() {
        assert_eq!(visitor_display_name(7, Some(" Maria "), false), "Maria");
        assert_eq!(
            visitor_display_name(7, Some("  "), true),
            visitor_alias(7).zh
        );
        assert_eq!(visitor_display_name(7, None, false), visitor_alias(7).en);
    }
}
