//! Key details filled in after a quick key list (AWS): a round starts with every key
//! list that says `details_later`, asks for the keys in batches of `DETAIL_BATCH` one
//! after the other (so the status line can count them), and puts each answer in place
//! without moving the selection. Keys described in an earlier round keep their details
//! while they are refreshed; new ones show placeholders until described.

use std::collections::HashMap;

use crate::backend::{KeyDetail, KeySummary};

use super::app::{key_search_text, App, KeyDetails};
use super::message::Command;

/// Keys asked for per `describe_keys` batch (the backend runs each with bounded
/// concurrency; small batches keep the progress moving).
pub const DETAIL_BATCH: usize = 25;

/// A new round of key details for a quick key list: keys described before keep their
/// details (refreshed in this round), new ones show placeholders until described. A
/// complete list (the simulator) ends any round.
pub(super) fn start_key_details(
    app: &mut App,
    keys: Vec<KeySummary>,
    details_later: bool,
) -> Vec<KeySummary> {
    if !details_later {
        app.key_details = KeyDetails {
            generation: app.key_details.generation + 1,
            ..Default::default()
        };
        return keys;
    }
    let d = &app.key_details;
    let known: HashMap<&str, &KeySummary> = app
        .keys
        .all()
        .iter()
        .filter(|k| !d.pending.contains(&k.key_id) && !d.failed.contains_key(&k.key_id))
        .map(|k| (k.key_id.as_str(), k))
        .collect();
    let keys: Vec<KeySummary> = keys
        .into_iter()
        .map(|k| match known.get(k.key_id.as_str()) {
            Some(old) => KeySummary {
                aliases: k.aliases,
                ..(*old).clone()
            },
            None => k,
        })
        .collect();
    let pending = keys
        .iter()
        .filter(|k| !known.contains_key(k.key_id.as_str()))
        .map(|k| k.key_id.clone())
        .collect();
    app.key_details = KeyDetails {
        generation: app.key_details.generation + 1,
        queue: keys.iter().map(|k| k.key_id.clone()).collect(),
        pending,
        failed: HashMap::new(),
        done: 0,
        total: keys.len(),
        loading: !keys.is_empty(),
    };
    keys
}

/// The next batch of key details to ask for, or none when the round is complete.
pub(super) fn next_details_batch(app: &mut App) -> Vec<Command> {
    let d = &mut app.key_details;
    let n = d.queue.len().min(DETAIL_BATCH);
    if n == 0 {
        d.loading = false;
        return vec![];
    }
    d.loading = true;
    vec![Command::DescribeKeys {
        key_ids: d.queue.drain(..n).collect(),
        generation: d.generation,
    }]
}

/// Put a batch of key details in place (the selection stays where it is).
pub(super) fn apply_key_details(app: &mut App, details: Vec<KeyDetail>) {
    app.key_details.done += details.len();
    let mut found: HashMap<String, KeySummary> = HashMap::new();
    let mut first_error = None;
    for d in details {
        app.key_details.pending.remove(&d.key_id);
        match d.result {
            Ok(k) => {
                found.insert(d.key_id, k);
            }
            Err(e) => {
                first_error.get_or_insert_with(|| e.clone());
                app.key_details.failed.insert(d.key_id, e.to_string());
            }
        }
    }
    app.keys.update_items(
        |k| match found.remove(&k.key_id) {
            Some(mut new) => {
                if new.aliases.is_empty() {
                    new.aliases = std::mem::take(&mut k.aliases);
                }
                *k = new;
                true
            }
            None => false,
        },
        key_search_text,
    );
    if let Some(e) = first_error {
        let n = app.key_details.failed.len();
        app.set_error(format!("Could not describe {n} key(s): {e}"));
    }
}
