//! The inbox's marks (replied, done), written by one task in batches: every mark that arrived
//! while the previous write ran goes into the next one, a statement per kind of mark. When the
//! bot is quiet a mark is written at once, as before; in a burst, many handlers' marks share a
//! write instead of each paying for its own (issue 13).
//!
//! Nothing waits longer than one write for its turn, so a crash loses what it lost before: the
//! marks of updates whose write had not landed, which are then handled again as after any crash.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};

use crate::storage::{InboxMark, Store};

/// Kept alive until its mark is written (an update's in-flight count, a claim), so that
/// `console` and the tests see an update as handled only once its marks are stored.
pub type KeepUntilWritten = Box<dyn Send>;

struct Pending {
    update_id: i64,
    mark: InboxMark,
    at: i64,
    keep: Option<KeepUntilWritten>,
    written: Option<oneshot::Sender<()>>,
}

enum Request {
    Mark(Pending),
    /// Answered once every mark queued before it is written.
    Flush(oneshot::Sender<()>),
}

pub struct MarkWriter {
    store: Store,
    /// Started on first use, on the runtime of the caller.
    queue: Mutex<Option<mpsc::UnboundedSender<Request>>>,
}

impl MarkWriter {
    pub fn new(store: Store) -> Self {
        MarkWriter {
            store,
            queue: Mutex::new(None),
        }
    }

    /// Queues a mark; `keep` is dropped once it is written (or failed).
    pub fn queue(&self, update_id: i64, mark: InboxMark, at: i64, keep: Option<KeepUntilWritten>) {
        self.send(Request::Mark(Pending {
            update_id,
            mark,
            at,
            keep,
            written: None,
        }));
    }

    /// Queues a mark and waits until it is written (or failed).
    pub async fn write(&self, update_id: i64, mark: InboxMark, at: i64) {
        let (tx, rx) = oneshot::channel();
        self.send(Request::Mark(Pending {
            update_id,
            mark,
            at,
            keep: None,
            written: Some(tx),
        }));
        let _ = rx.await;
    }

    /// Waits until every mark queued so far is written: before the store closes.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        self.send(Request::Flush(tx));
        let _ = rx.await;
    }

    /// Without a runtime (a claim dropped as the process ends) the mark is lost, and the
    /// update is handled again at the next start, as after a crash.
    fn send(&self, request: Request) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let request = match queue.as_ref() {
            Some(tx) => match tx.send(request) {
                Ok(()) => return,
                // The task ended with its runtime (a test's); start another.
                Err(mpsc::error::SendError(request)) => request,
            },
            None => request,
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = tx.send(request);
        runtime.spawn(write_batches(self.store.clone(), rx));
        *queue = Some(tx);
    }
}

async fn write_batches(store: Store, mut rx: mpsc::UnboundedReceiver<Request>) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, usize::MAX).await > 0 {
        let mut groups: HashMap<(InboxMark, i64), Vec<i64>> = HashMap::new();
        for request in &batch {
            if let Request::Mark(pending) = request {
                groups
                    .entry((pending.mark, pending.at))
                    .or_default()
                    .push(pending.update_id);
            }
        }
        for ((mark, at), ids) in groups {
            if let Err(err) = store.inbox_mark(mark, &ids, at).await {
                tracing::warn!(?mark, count = ids.len(), error = %err, "could not record updates' marks");
            }
        }
        for request in batch.drain(..) {
            match request {
                Request::Mark(pending) => {
                    drop(pending.keep);
                    if let Some(written) = pending.written {
                        let _ = written.send(());
                    }
                }
                Request::Flush(done) => {
                    let _ = done.send(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marks queued together (two kinds, two times) and one awaited are all written; a flush
    /// returns only after them, and `keep` lives until its mark is written.
    #[tokio::test]
    async fn queued_marks_are_written_together_and_flushed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("marks.db").display());
        let store = Store::open(&url).await.expect("store");
        let rows: Vec<(i64, String)> = (1..=6).map(|id| (id, "{}".to_string())).collect();
        store.inbox_put_claimed(&rows, 100).await.expect("put");
        let marks = MarkWriter::new(store.clone());
        let (kept_tx, kept_rx) = oneshot::channel::<()>();
        marks.queue(1, InboxMark::RepliedAndDone, 101, Some(Box::new(kept_tx)));
        marks.queue(2, InboxMark::RepliedAndDone, 101, None);
        marks.queue(3, InboxMark::Replied, 102, None);
        marks.queue(4, InboxMark::Done, 102, None);
        marks.write(5, InboxMark::Done, 103).await;
        marks.flush().await;
        // The sender was dropped with its mark, after the write.
        assert!(kept_rx.await.is_err());
        let (stored, in_hand, replied, done) = store.inbox_counts().await.expect("counts");
        assert_eq!((stored, in_hand, replied, done), (6, 1, 3, 4));
        // An earlier mark stays.
        marks.write(3, InboxMark::RepliedAndDone, 200).await;
        let (_, _, replied, done) = store.inbox_counts().await.expect("counts");
        assert_eq!((replied, done), (3, 5));
    }
}
