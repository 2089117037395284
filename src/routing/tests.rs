//! Unit tests for the router: one test per rule, then a randomized invariant check.
#![allow(clippy::unwrap_used)]

use super::*;
use Placement::{Assigned, Queued, WithBot};
use Presence::{Away, Offline, Online};

/// A router with agents `ids`, all Online, default capacity `cap`.
fn online(cap: u32, ids: &[AgentId]) -> Router {
    let mut r = Router::new(cap);
    for &id in ids {
        assert!(r.add_agent(id, None));
        r.set_presence(id, Online).unwrap();
    }
    r
}

fn q(position: usize) -> Placement {
    Queued { position }
}

fn queue(r: &Router) -> Vec<ConversationId> {
    r.queued().collect()
}

#[test]
fn least_busy_wins_and_ties_rotate() {
    let mut r = online(5, &[1, 2, 3]);
    // All idle and never assigned: lowest id, then rotation.
    assert_eq!(r.place_new(10), Assigned(1));
    assert_eq!(r.place_new(11), Assigned(2));
    assert_eq!(r.place_new(12), Assigned(3));
    // Agent 2 frees up: fewest open wins over rotation.
    assert!(r.close(11).is_empty());
    assert_eq!(r.place_new(13), Assigned(2));
    // All at 1 again: the least recently auto-assigned (1) goes first.
    assert_eq!(r.place_new(14), Assigned(1));
    assert_eq!(r.place_new(15), Assigned(3));
    assert_eq!(r.place_new(16), Assigned(2));
}

#[test]
fn auto_assign_respects_capacity_and_positions_count_from_one() {
    let mut r = online(2, &[1]);
    assert!(r.add_agent(2, Some(1)));
    r.set_presence(2, Online).unwrap();
    let placed: Vec<_> = (1..=5).map(|c| r.place_new(c)).collect();
    assert_eq!(placed, [Assigned(1), Assigned(2), Assigned(1), q(1), q(2)]);
    assert_eq!(r.open_count(1), 2);
    assert_eq!(r.open_count(2), 1);
    assert_eq!(queue(&r), [4, 5]);
    assert_eq!(r.queue_position(5), Some(2));
    assert_eq!(r.queue_position(1), None);
    assert_eq!(r.placement(99), None);
    // Already open: idempotent.
    assert_eq!(r.place_new(5), q(2));
    assert_eq!(r.queue_len(), 2);
}

#[test]
fn queue_when_nobody_online_then_drains_in_order_up_to_capacity() {
    let mut r = Router::new(2);
    r.add_agent(1, None);
    r.add_agent(2, None);
    for c in 1..=5 {
        assert_eq!(r.place_new(c), q(c as usize));
    }
    assert_eq!(r.set_presence(1, Online).unwrap(), [(1, 1), (2, 1)]);
    assert_eq!(queue(&r), [3, 4, 5]);
    assert_eq!(r.queue_position(5), Some(3));
    assert_eq!(r.set_presence(2, Online).unwrap(), [(3, 2), (4, 2)]);
    assert_eq!(queue(&r), [5]);
    // Coming online again changes nothing when nobody has room.
    assert!(r.set_presence(1, Online).unwrap().is_empty());
}

#[test]
fn drain_spreads_to_the_least_busy() {
    let mut r = Router::new(3);
    r.add_agent(1, None);
    r.add_agent(2, None);
    r.set_presence(1, Online).unwrap();
    r.set_capacity(1, 0).unwrap();
    for c in 1..=4 {
        r.place_new(c);
    }
    r.set_presence(2, Online).unwrap(); // takes 1..=3
    assert_eq!(r.set_capacity(1, 3).unwrap(), [(4, 1)]);
    // A new one now goes to 1 (1 open) rather than 2 (3 open, full).
    assert_eq!(r.place_new(5), Assigned(1));
}

#[test]
fn closing_frees_capacity_and_drains() {
    let mut r = online(1, &[1, 2]);
    for c in 1..=4 {
        r.place_new(c);
    }
    assert_eq!(queue(&r), [3, 4]);
    assert_eq!(r.close(2), [(3, 2)]);
    assert_eq!(r.assignee(3), Some(2));
    // Closing a queued one shifts positions; closing unknown is a no-op.
    r.place_new(5);
    assert!(r.close(4).is_empty());
    assert_eq!(r.queue_position(5), Some(1));
    assert!(r.close(42).is_empty());
    assert!(r.close(3).iter().eq(&[(5, 2)]));
    assert_eq!(r.queue_len(), 0);
}

#[test]
fn away_agents_keep_theirs_but_get_no_new() {
    let mut r = online(5, &[1, 2]);
    r.place_new(1);
    r.place_new(2);
    r.set_presence(1, Away).unwrap();
    assert_eq!(r.conversations_of(1).collect::<Vec<_>>(), [1]);
    assert_eq!(r.place_new(3), Assigned(2));
    assert_eq!(r.place_new(4), Assigned(2));
    r.set_presence(2, Offline).unwrap();
    assert_eq!(r.place_new(5), q(1));
    assert_eq!(r.open_count(1), 1);
    assert_eq!(r.open_count(2), 3);
    assert_eq!(r.set_presence(1, Online).unwrap(), [(5, 1)]);
}

#[test]
fn requeue_keeps_older_conversations_ahead_and_redistributes() {
    let mut r = online(2, &[1, 2]);
    for c in 1..=6 {
        r.place_new(c); // 1:{1,3} 2:{2,4} queue [5,6]
    }
    r.set_presence(1, Offline).unwrap();
    let moved = r.requeue_agent(1).unwrap();
    assert_eq!(moved, [(1, q(1)), (3, q(2))]);
    assert_eq!(queue(&r), [1, 3, 5, 6]);
    assert_eq!(r.open_count(1), 0);
    // Agent 3 arrives and takes the oldest first.
    r.add_agent(3, Some(3));
    assert_eq!(r.set_presence(3, Online).unwrap(), [(1, 3), (3, 3), (5, 3)]);
    assert_eq!(r.set_capacity(3, 4).unwrap(), [(6, 3)]);
    // 7 arrives while everyone is full; then agent 2 is lost: its 2 and 4 are older than 7
    // and go ahead of it.
    assert_eq!(r.place_new(7), q(1));
    r.set_presence(2, Offline).unwrap();
    let moved = r.requeue_agent(2).unwrap();
    assert_eq!(moved, [(2, q(1)), (4, q(2))]);
    assert_eq!(queue(&r), [2, 4, 7]);
    assert_eq!(r.requeue_agent(9), Err(RoutingError::UnknownAgent(9)));
}

#[test]
fn requeue_of_an_online_agent_with_others_waiting() {
    let mut r = online(1, &[1, 2]);
    r.place_new(1);
    r.place_new(2);
    r.place_new(3); // queued
    // Agent 1 is requeued while still online: its conversation 1 is older than 3 and comes
    // straight back; 3 still waits.
    assert_eq!(r.requeue_agent(1).unwrap(), [(1, Assigned(1))]);
    assert_eq!(queue(&r), [3]);
    // A reopened conversation queues behind everything already waiting, even with a low id.
    r.close(2);
    assert_eq!(r.assignee(3), Some(2));
    r.place_new(4);
    assert_eq!(r.reopen(2, Some(2)), q(2));
    r.set_presence(1, Offline).unwrap();
    r.set_presence(2, Offline).unwrap();
    assert_eq!(
        r.requeue_agent(2).unwrap(),
        [(3, q(1))],
        "3 was created before 4 and the reopened 2"
    );
    assert_eq!(queue(&r), [3, 4, 2]);
}

#[test]
fn claim_rules() {
    let mut r = online(1, &[1, 2]);
    r.add_agent(3, None);
    r.place_new(1);
    r.place_new(2);
    r.place_new(3);
    r.place_new(4);
    // Claim ignores capacity and presence.
    assert_eq!(r.claim(3, 1), Ok(()));
    assert_eq!(r.open_count(1), 2);
    assert_eq!(r.claim(4, 3), Ok(()));
    assert_eq!(r.assignee(4), Some(3));
    assert_eq!(r.queue_len(), 0);
    r.place_new(5);
    assert_eq!(r.claim(1, 2), Err(RoutingError::AlreadyAssignedTo(1)));
    assert_eq!(r.claim(9, 2), Err(RoutingError::UnknownConversation(9)));
    assert_eq!(r.claim(5, 7), Err(RoutingError::UnknownAgent(7)));
    r.disable_agent(3).unwrap();
    assert_eq!(r.claim(5, 3), Err(RoutingError::AgentDisabled(3)));
    assert_eq!(queue(&r), [4, 5]);
}

#[test]
fn transfer_rules() {
    let mut r = online(1, &[1, 2]);
    r.add_agent(3, None);
    r.add_agent(4, None);
    r.set_presence(4, Online).unwrap();
    r.place_new(1); // 1
    r.place_new(2); // 2
    r.place_new(3); // 4
    r.place_new(5); // queued
    // Ignores the target's capacity; the previous agent's freed slot drains the queue.
    let out = r.transfer(1, 2).unwrap();
    assert_eq!(out.previous, 1);
    assert_eq!(out.assigned, [(5, 1)]);
    assert_eq!(r.open_count(2), 2);
    assert_eq!(r.transfer(1, 2), Err(RoutingError::SameAgent(2)));
    assert_eq!(r.transfer(1, 3), Err(RoutingError::AgentNotOnline(3)));
    assert_eq!(r.transfer(1, 9), Err(RoutingError::UnknownAgent(9)));
    assert_eq!(r.transfer(9, 1), Err(RoutingError::UnknownConversation(9)));
    r.set_presence(3, Online).unwrap();
    r.disable_agent(3).unwrap();
    assert_eq!(r.transfer(1, 3), Err(RoutingError::AgentDisabled(3)));
    r.place_new(6);
    assert_eq!(r.transfer(6, 1), Err(RoutingError::NotAssigned(6)));
    // From an Away agent to an Online one is fine.
    r.set_presence(2, Away).unwrap();
    assert_eq!(r.transfer(2, 4).unwrap().previous, 2);
}

#[test]
fn disable_requeues_and_blocks_until_enabled() {
    let mut r = online(2, &[1, 2]);
    for c in 1..=5 {
        r.place_new(c); // 1:{1,3} 2:{2,4} queue [5]
    }
    r.set_capacity(2, 3).unwrap(); // 2 takes 5
    let moved = r.disable_agent(1).unwrap();
    assert_eq!(moved, [(1, q(1)), (3, q(2))]);
    assert!(!r.is_enabled(1));
    assert_eq!(r.presence(1), Some(Online));
    assert_eq!(r.place_new(6), q(3));
    assert_eq!(
        r.restore_assigned(7, 1),
        q(4),
        "a disabled agent gets nothing"
    );
    assert_eq!(r.enable_agent(1).unwrap(), [(1, 1), (3, 1)]);
    assert_eq!(r.disable_agent(8), Err(RoutingError::UnknownAgent(8)));
}

#[test]
fn reopen_prefers_previous_agent() {
    let mut r = online(2, &[1, 2]);
    r.place_new(1); // 1
    r.place_new(2); // 2
    r.close(1);
    // Agent 1 is idle, but 2 is the previous agent and still has room.
    assert_eq!(r.reopen(1, Some(2)), Assigned(2));
    assert_eq!(r.reopen(1, Some(1)), Assigned(2), "already open: unchanged");
    r.close(1);
    r.set_presence(2, Away).unwrap();
    assert_eq!(r.reopen(1, Some(2)), Assigned(1), "previous away: like new");
    r.close(1);
    r.set_presence(2, Online).unwrap();
    for c in 3..=5 {
        r.place_new(c); // fills both agents
    }
    assert_eq!((r.open_count(1), r.open_count(2)), (2, 2));
    assert_eq!(r.reopen(1, Some(2)), q(1), "previous full: like new");
    assert_eq!(r.reopen(8, Some(77)), q(2), "unknown previous: like new");
}

#[test]
fn restore_ignores_presence_and_capacity() {
    let mut r = Router::new(1);
    r.add_agent(1, None);
    assert_eq!(r.restore_assigned(5, 1), Assigned(1));
    assert_eq!(r.restore_assigned(6, 1), Assigned(1));
    assert_eq!(r.restore_assigned(7, 42), q(1), "unknown agent: queued");
    assert_eq!(r.restore_queued(3), q(1), "restored queue is in id order");
    assert_eq!(r.restore_queued(9), q(3));
    assert_eq!(queue(&r), [3, 7, 9]);
    assert_eq!(r.open_count(1), 2);
    assert_eq!(r.presence(1), Some(Offline));
    // Restoring twice moves rather than duplicates.
    assert_eq!(r.restore_assigned(3, 1), Assigned(1));
    assert_eq!(queue(&r), [7, 9]);
    // New conversations go behind restored ones.
    assert_eq!(r.place_new(8), q(3));
    r.add_agent(2, Some(2));
    r.set_presence(2, Online).unwrap();
    assert_eq!(r.drain(), []);
    assert_eq!(queue(&r), [8], "presence change already drained 7 and 9");
}

#[test]
fn hub_sequence_assigns_to_the_only_online_agent() {
    let mut r = Router::new(5);
    r.add_agent(1, None);
    r.add_agent(2, None);
    r.enable_agent(2).expect("enable");
    r.set_capacity(2, 5).expect("capacity");
    r.set_presence(2, Presence::Online).expect("presence");
    assert_eq!(r.place_new(1), Placement::Assigned(2));
}

#[test]
fn the_bot_holds_no_capacity_and_lets_go_to_the_back_of_the_line() {
    let mut r = online(1, &[1]);
    assert_eq!(r.place_with_bot(1), WithBot);
    assert_eq!(r.queue_len(), 0);
    assert_eq!(
        r.open_count(1),
        0,
        "the bot's conversation holds no capacity"
    );
    assert_eq!(r.place_new(2), Assigned(1));
    assert_eq!(r.place_new(3), q(1));
    assert_eq!(r.hand_off(1), Some(q(2)), "behind those already waiting");
    assert_eq!(r.hand_off(1), None, "only once");
    assert_eq!(r.place_with_bot(4), WithBot);
    assert_eq!(r.claim(4, 1), Ok(()), "an agent may take it from the bot");
    assert_eq!(r.placement(4), Some(Assigned(1)));
    assert_eq!(r.hand_off(4), None);
    assert_eq!(r.place_with_bot(5), WithBot);
    assert_eq!(r.restore_with_bot(6), WithBot);
    assert_eq!(r.close(5), []);
    assert_eq!(r.placement(5), None);
    assert_eq!(queue(&r), [3, 1]);
}
