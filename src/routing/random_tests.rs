//! The randomized check of the module invariants: long random sequences of every call
//! the hub makes (the bot placement and the revert of a failed commit included), the
//! invariants checked after each.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use super::*;
use Placement::{Assigned, Queued, WithBot};
use Presence::{Away, Offline, Online};

/// Deterministic PRNG (splitmix64), so the randomized test needs no crate and replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Checks the module invariants against the router's internals and the test's own record
/// of which conversations are open.
fn check_invariants(r: &Router, open: &BTreeSet<ConversationId>) {
    assert_eq!(&r.open.keys().copied().collect::<BTreeSet<_>>(), open);
    let mut queued = BTreeSet::new();
    for (ticket, conv) in r.line.entries() {
        assert!(queued.insert(conv), "duplicate {conv} in queue");
        assert_eq!(r.open[&conv].agent, None);
        assert_eq!(r.open[&conv].ticket, ticket);
    }
    let mut assigned = BTreeSet::new();
    for (&id, agent) in &r.agents {
        for conv in &agent.open {
            assert!(assigned.insert(*conv), "{conv} assigned twice");
            assert_eq!(r.open[conv].agent, Some(id));
            assert!(agent.enabled, "disabled agent {id} holds {conv}");
        }
    }
    let with_bot: BTreeSet<ConversationId> = r
        .open
        .iter()
        .filter(|(_, o)| o.with_bot)
        .map(|(c, _)| *c)
        .collect();
    for conv in &with_bot {
        assert_eq!(r.open[conv].agent, None, "{conv} with the bot and an agent");
        assert_eq!(r.placement(*conv), Some(Placement::WithBot));
    }
    assert!(queued.is_disjoint(&assigned));
    assert!(with_bot.is_disjoint(&queued) && with_bot.is_disjoint(&assigned));
    assert_eq!(queued.len() + assigned.len() + with_bot.len(), open.len());
    if !r.line.is_empty() {
        assert_eq!(r.least_busy(), None, "someone has room while others wait");
    }
    // Spot-check positions at both ends (checking all would be quadratic).
    if let (Some(first), Some(last)) = (r.queued().next(), r.queued().last()) {
        assert_eq!(r.queue_position(first), Some(1));
        assert_eq!(r.queue_position(last), Some(r.queue_len()));
    }
}

#[test]
fn randomized_invariants_hold() {
    for seed in 0..25 {
        let mut rng = Rng(seed);
        let mut r = Router::new(1 + rng.below(3) as u32);
        let mut open = BTreeSet::new();
        let mut closed: Vec<(ConversationId, Option<AgentId>)> = Vec::new();
        let mut next_conv: ConversationId = 1;
        for id in 1..=(1 + rng.below(5)) {
            let cap = (rng.below(2) == 0).then(|| rng.below(4) as u32);
            r.add_agent(id, cap);
        }
        let agent = |rng: &mut Rng| 1 + rng.below(7); // some unknown ids too
        for _ in 0..1500 {
            let pick_open = |rng: &mut Rng, open: &BTreeSet<ConversationId>| {
                let n = open.len().max(1) as u64;
                open.iter()
                    .nth(rng.below(n) as usize)
                    .copied()
                    .unwrap_or(999_999)
            };
            let mut auto: Vec<AgentId> = Vec::new();
            // Odd seeds model a quieter shop (fewer arrivals), so the queue often empties.
            let op = match rng.below(15) {
                2 if seed % 2 == 1 => 3,
                op => op,
            };
            match op {
                0..=2 => {
                    let placed = if rng.below(4) == 0 {
                        r.place_with_bot(next_conv)
                    } else {
                        r.place_new(next_conv)
                    };
                    if let Assigned(a) = placed {
                        auto.push(a);
                    }
                    open.insert(next_conv);
                    next_conv += 1;
                }
                3..=5 => {
                    let conv = pick_open(&mut rng, &open);
                    let previous = r.assignee(conv);
                    auto.extend(r.close(conv).into_iter().map(|(_, a)| a));
                    if open.remove(&conv) {
                        closed.push((conv, previous));
                    }
                }
                6 if !closed.is_empty() => {
                    let (conv, prev) = closed.swap_remove(rng.below(closed.len() as u64) as usize);
                    if let Assigned(a) = r.reopen(conv, prev) {
                        auto.push(a);
                    }
                    open.insert(conv);
                }
                7 => {
                    let presence = [Online, Online, Away, Offline][rng.below(4) as usize];
                    if let Ok(made) = r.set_presence(agent(&mut rng), presence) {
                        auto.extend(made.into_iter().map(|(_, a)| a));
                    }
                }
                8 => {
                    let cap = rng.below(5) as u32;
                    if let Ok(made) = r.set_capacity(agent(&mut rng), cap) {
                        auto.extend(made.into_iter().map(|(_, a)| a));
                    }
                }
                9 => {
                    let _ = r.claim(pick_open(&mut rng, &open), agent(&mut rng));
                }
                10 => {
                    let conv = pick_open(&mut rng, &open);
                    if let Ok(out) = r.transfer(conv, agent(&mut rng)) {
                        auto.extend(out.assigned.into_iter().map(|(_, a)| a));
                    }
                }
                11 => {
                    let id = agent(&mut rng);
                    let result = match rng.below(3) {
                        0 => r.requeue_agent(id),
                        1 => r.disable_agent(id),
                        _ => r
                            .enable_agent(id)
                            .map(|made| made.into_iter().map(|(c, a)| (c, Assigned(a))).collect()),
                    };
                    for (conv, placement) in result.unwrap_or_default() {
                        assert!(open.contains(&conv));
                        match placement {
                            Assigned(a) => auto.push(a),
                            Queued { position } => {
                                assert_eq!(r.queue_position(conv), Some(position));
                            }
                            WithBot => panic!("{conv} went back to the bot"),
                        }
                    }
                }
                12 => {
                    let conv = pick_open(&mut rng, &open);
                    let was_with_bot = r.placement(conv) == Some(WithBot);
                    let placed = r.hand_off(conv);
                    assert_eq!(placed.is_some(), was_with_bot);
                    if let Some(Assigned(a)) = placed {
                        auto.push(a);
                    }
                }
                13 => {
                    // A commit failed: back to where the store has it; the hub drains
                    // on its next tick.
                    let conv = pick_open(&mut rng, &open);
                    let id = agent(&mut rng);
                    let stored =
                        [Assigned(id), Queued { position: 0 }, WithBot][rng.below(3) as usize];
                    assert_eq!(r.revert(conv, stored), open.contains(&conv));
                    if open.contains(&conv) {
                        let enabled = r.agents.get(&id).is_some_and(|a| a.enabled);
                        match (stored, r.placement(conv)) {
                            (Assigned(_), Some(Assigned(a))) => assert!(enabled && a == id),
                            (Assigned(_) | Queued { .. }, Some(Queued { .. })) => {
                                assert!(!matches!(stored, Assigned(_)) || !enabled)
                            }
                            (WithBot, Some(WithBot)) => {}
                            other => panic!("reverted {conv} to {stored:?}: {other:?}"),
                        }
                    }
                    auto.extend(r.drain().into_iter().map(|(_, a)| a));
                }
                _ => {
                    let id = 1 + rng.below(6);
                    r.add_agent(id, None);
                }
            }
            for a in auto {
                let cap = r.capacity(a).unwrap();
                assert!(r.open_count(a) <= cap as usize, "auto over capacity");
            }
            check_invariants(&r, &open);
        }
    }
}
