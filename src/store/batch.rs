//! Group commit for deliveries: inserts that arrive while a commit is under way wait for the next
//! one and share it, so a burst costs one transaction (one `fsync`, one WAL flush) per batch
//! rather than one per delivery. Each caller still returns only once its delivery is committed.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use super::{Insert, NewDelivery, Store, StoreError, work_key};

/// At most this many deliveries share a commit...
const MAX_BATCH: usize = 256;
/// ...and at most about this many bytes of bodies, so a batch of 25 MB payloads stays small.
const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Deliveries waiting for a commit; a handler waits for room beyond this.
const QUEUE: usize = 4 * MAX_BATCH;

struct Request {
    delivery: NewDelivery,
    reply: oneshot::Sender<Result<Insert, StoreError>>,
}

/// The handle callers send deliveries through; cheap to clone.
#[derive(Clone)]
pub(super) struct Inserter {
    requests: mpsc::Sender<Request>,
}

impl Inserter {
    /// Starts `committers` tasks that store batches through `store` (which must not insert
    /// through this inserter). They end when the last handle is dropped.
    pub(super) fn spawn(store: Store, committers: usize) -> Inserter {
        let (requests, receiver) = mpsc::channel(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..committers.max(1) {
            tokio::spawn(commit_batches(store.clone(), receiver.clone()));
        }
        Inserter { requests }
    }

    pub(super) async fn insert(&self, delivery: NewDelivery) -> Result<Insert, StoreError> {
        let stopped = || StoreError::Query {
            doing: "storing a delivery",
            reason: "the store's committing task has stopped (was the server shutting down?)".to_string(),
        };
        let (reply, answer) = oneshot::channel();
        self.requests.send(Request { delivery, reply }).await.map_err(|_| stopped())?;
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }
}

async fn commit_batches(store: Store, receiver: Arc<Mutex<mpsc::Receiver<Request>>>) {
    loop {
        let batch = {
            // One committer gathers at a time; while it commits, another gathers the next batch.
            let mut receiver = receiver.lock().await;
            let Some(first) = receiver.recv().await else {
                return;
            };
            let mut bytes = first.delivery.body.len();
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
                match receiver.try_recv() {
                    Ok(next) => {
                        bytes += next.delivery.body.len();
                        batch.push(next);
                    }
                    Err(_) => break,
                }
            }
            batch
        };
        let rows: Vec<(&NewDelivery, String)> = batch.iter().map(|r| (&r.delivery, work_key(&r.delivery))).collect();
        let result = store.insert_batch(&rows).await;
        drop(rows);
        match result {
            Ok(answers) => {
                for (request, answer) in batch.into_iter().zip(answers) {
                    // A caller that gave up (its client hung up) needs no answer.
                    let _ = request.reply.send(Ok(answer));
                }
            }
            Err(e) => {
                for request in batch {
                    let _ = request.reply.send(Err(e.clone()));
                }
            }
        }
    }
}
