//! Running a simulated controller: reconcile whenever a watched kind changes (kube-rs watchers,
//! like a real controller's informers) and at a steady tick for time-based progress. Errors are
//! logged and retried on the next round; a controller never stops the world.

use std::future::Future;
use std::time::Duration;

use futures::stream::{BoxStream, SelectAll};
use futures::{StreamExt, stream};
use kube::api::{Api, DynamicObject};
use kube::runtime::{WatchStreamExt, watcher};

/// A stream that yields `()` whenever any of `apis` changes.
pub fn changes(apis: Vec<Api<DynamicObject>>) -> SelectAll<BoxStream<'static, ()>> {
    let mut all = SelectAll::new();
    for api in apis {
        all.push(
            watcher(api, watcher::Config::default())
                .default_backoff()
                .map(|_| ())
                .boxed(),
        );
    }
    all.push(stream::pending().boxed());
    all
}

/// How often controllers reconcile when nothing changes (time-based progress).
pub const TICK: Duration = Duration::from_millis(100);

/// Reconciles every object of `api` on each change (of it or of `also_watch`) and each tick.
pub async fn run_each<F, Fut>(
    name: &'static str,
    api: Api<DynamicObject>,
    mut also_watch: Vec<Api<DynamicObject>>,
    reconcile: F,
) where
    F: Fn(DynamicObject) -> Fut,
    Fut: Future<Output = Result<(), kube::Error>>,
{
    also_watch.insert(0, api.clone());
    let reconcile = &reconcile;
    run(name, also_watch, TICK, || {
        let api = api.clone();
        async move {
            for object in api.list(&Default::default()).await?.items {
                let object_name = object.metadata.name.clone().unwrap_or_default();
                if let Err(error) = reconcile(object).await {
                    tracing::debug!(controller = name, object = object_name, %error, "reconcile failed; retrying");
                }
            }
            Ok(())
        }
    })
    .await;
}

/// Calls `reconcile` on every change and every `tick`, forever.
pub async fn run<F, Fut>(
    name: &'static str,
    apis: Vec<Api<DynamicObject>>,
    tick: Duration,
    mut reconcile: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), kube::Error>>,
{
    let mut wake = changes(apis);
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = wake.next() => {
                // Coalesce a burst of changes into one round.
                while let Some(Some(())) = futures::FutureExt::now_or_never(wake.next()) {}
            }
        }
        if let Err(error) = reconcile().await {
            tracing::debug!(controller = name, %error, "reconcile failed; retrying");
        }
    }
}
