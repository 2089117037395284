//! Avatars drawn as initials on a colour: the palette (every colour dark enough for white
//! initials), an agent's avatar (chosen on their profile, else the initials of their name
//! on a colour from their id), and the one check of what an agent submits. Pure.

use serde::Serialize;

use crate::store::records::{AgentAvatar, AgentV4};

/// Avatar colours, each with a contrast of at least 4.5:1 against white initials. Never
/// reorder or remove one: visitors' generated colours index into it.
pub const PALETTE: [&str; 12] = [
    "#b45309", "#047857", "#1d4ed8", "#7c3aed", "#be185d", "#0e7490", "#4d7c0f", "#c2410c",
    "#4338ca", "#a21caf", "#0f766e", "#b91c1c",
];

/// Most characters of an agent's initials.
const INITIALS_MAX: usize = 2;

/// An avatar as clients draw it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct AvatarView {
    /// One or two characters, drawn in white.
    pub initials: String,
    /// The background, `#rrggbb` from [`PALETTE`].
    pub colour: String,
    /// Whether the agent chose it (false: the default from their name and id).
    pub chosen: bool,
}

/// The initials of a name: the first letters of its first and last words ("Ada
/// Lovelace" → "AL"), or the first two of a single word ("Bea" → "BE", "王芳" → "王芳").
pub fn initials_of(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let picked: String = match words.as_slice() {
        [] => "?".into(),
        [one] => one.chars().take(INITIALS_MAX).collect(),
        [first, .., last] => first.chars().take(1).chain(last.chars().take(1)).collect(),
    };
    picked.to_uppercase()
}

/// Agent `id`'s avatar: the chosen one, else their name's initials on a colour from
/// their id.
pub fn agent_avatar(id: u64, agent: &AgentV4) -> AvatarView {
    match &agent.avatar {
        Some(chosen) => AvatarView {
            initials: chosen.initials.clone(),
            colour: chosen.colour.clone(),
            chosen: true,
        },
        None => AvatarView {
            initials: initials_of(&agent.name),
            colour: PALETTE[(id % PALETTE.len() as u64) as usize].to_string(),
            chosen: false,
        },
    }
}

/// The stored form of submitted initials and colour, or why they are refused.
pub fn checked_avatar(initials: &str, colour: &str) -> Result<AgentAvatar, String> {
    let initials = initials.trim();
    let count = initials.chars().count();
    if count == 0
        || count > INITIALS_MAX
        || initials
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || !c.is_alphanumeric())
    {
        return Err(format!(
            "avatar.initials must be 1-{INITIALS_MAX} letters or digits"
        ));
    }
    let colour = colour.trim().to_lowercase();
    if !PALETTE.contains(&colour.as_str()) {
        return Err(format!(
            "avatar.colour must be one of {}",
            PALETTE.join(", ")
        ));
    }
    Ok(AgentAvatar {
        initials: initials.to_uppercase(),
        colour,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::AgentRole;

    #[test]
    fn initials_come_from_the_first_and_last_word() {
        assert_eq!(initials_of("Ada King Lovelace"), "AL");
        assert_eq!(initials_of(" bea "), "BE");
        assert_eq!(initials_of("王芳"), "王芳");
        assert_eq!(initials_of(""), "?");
    }

    #[test]
    fn an_agent_without_a_choice_gets_the_default_and_a_choice_wins() {
        let mut alice = AgentV4::new("Alice Smith".into(), AgentRole::Agent, String::new(), 0);
        let default = agent_avatar(3, &alice);
        assert_eq!(
            (
                default.initials.as_str(),
                default.colour.as_str(),
                default.chosen
            ),
            ("AS", PALETTE[3], false)
        );
        alice.avatar = Some(checked_avatar(" al ", "#047857").expect("valid"));
        let chosen = agent_avatar(3, &alice);
        assert_eq!(
            (
                chosen.initials.as_str(),
                chosen.colour.as_str(),
                chosen.chosen
            ),
            ("AL", "#047857", true)
        );
    }

    #[test]
    fn the_consoles_palette_is_this_one() {
        let js = include_str!("../web/console/avatar-palette.js");
        let listed: Vec<&str> = js
            .split('\'')
            .filter(|part| part.starts_with('#'))
            .collect();
        assert_eq!(listed, PALETTE, "web/console/avatar-palette.js");
    }

    #[test]
    fn submitted_avatars_are_checked() {
        assert!(checked_avatar("A", "#1D4ED8").is_ok(), "any case");
        assert!(checked_avatar("王", PALETTE[0]).is_ok());
        for (initials, colour) in [
            ("", PALETTE[0]),
            ("ABC", PALETTE[0]),
            ("<b", PALETTE[0]),
            ("A B", PALETTE[0]),
            ("AB", "#ffffff"),
            ("AB", "red"),
        ] {
            assert!(
                checked_avatar(initials, colour).is_err(),
                "{initials} {colour}"
            );
        }
    }
}
