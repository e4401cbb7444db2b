//! The places of Discord's global limit, drawn in turn by the processes of one bot, on both
//! backends: each place drawn once, the draws laid end to end, places that passed undrawn
//! gone for good.

use std::time::{Duration, Instant};

use storage::draw_places;

use crate::common::contract;

contract! {
/// The first draw on an idle sequence starts now; its places follow a period apart; the next
/// draw begins where the first ended (seen from its own moment, which came at most `between`
/// later), never on a place already drawn.
async fn places_are_drawn_in_turn_and_never_twice(db: Db) {
    let period = Duration::from_millis(500);
    let t = Instant::now();
    let a = draw_places(&db, 4, period).await.unwrap();
    assert_eq!(a.first_in, Duration::ZERO, "an idle sequence starts now");
    assert_eq!((a.count, a.at(3)), (4, period * 3));
    let b = draw_places(&db, 2, period).await.unwrap();
    let between = t.elapsed();
    assert!(
        b.first_in <= period * 4 && b.first_in + between >= period * 4,
        "the second draw starts where the first ended: {:?} after it, {between:?} between",
        b.first_in
    );
}
}

contract! {
/// Places that passed without being drawn are gone: a draw after the drawn places ended starts
/// at its own moment, not on the places in between.
async fn places_that_passed_are_never_drawn(db: Db) {
    draw_places(&db, 1, Duration::from_micros(1)).await.unwrap();
    let later = draw_places(&db, 3, Duration::from_millis(100)).await.unwrap();
    assert_eq!(later.first_in, Duration::ZERO);
}
}

contract! {
/// Draws made at the same moment (processes drawing at once) each get places of their own,
/// laid end to end: on the test's clock each draw's first place lies between its start and its
/// answer plus its offset, and consecutive draws' first places are a whole draw's span apart.
async fn draws_at_once_get_places_of_their_own(db: Db) {
    const DRAWS: u32 = 16;
    let period = Duration::from_millis(100);
    let span = period * 3;
    let t0 = Instant::now();
    let draws = (0..DRAWS).map(|_| {
        let db = db.clone();
        async move {
            let sent = t0.elapsed();
            let places = draw_places(&db, 3, period).await.unwrap();
            (sent + places.first_in, t0.elapsed() + places.first_in)
        }
    });
    let mut firsts: Vec<(Duration, Duration)> = futures::future::join_all(draws).await;
    firsts.sort();
    for pair in firsts.windows(2) {
        let ((early, _), (_, late)) = (pair[0], pair[1]);
        assert!(late >= early + span, "two draws overlap: {firsts:?}");
    }
    let (first, last) = (firsts[0], firsts[DRAWS as usize - 1]);
    assert!(
        last.1 >= first.0 + span * (DRAWS - 1) && last.0 <= first.1 + span * (DRAWS - 1),
        "the draws are laid end to end: {firsts:?}"
    );
}
}

contract! {
/// Nothing is drawn for no places or no period.
async fn an_empty_draw_is_refused(db: Db) {
    assert!(draw_places(&db, 0, Duration::from_millis(20)).await.is_err());
    assert!(draw_places(&db, 3, Duration::ZERO).await.is_err());
}
}
