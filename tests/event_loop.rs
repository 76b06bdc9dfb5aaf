//! The event loop draws only when something visible changed: nothing while idle, nothing for a
//! key that does nothing, one frame for a burst of messages.

mod common;

use std::time::Duration;

use common::keys::{char_key, key};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use flightdeck::bench::measure::CountingWriter;
use flightdeck::ui::event_loop::{Headless, run};
use flightdeck::ui::msg::Msg;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::mpsc;

#[tokio::test(start_paused = true)]
async fn idle_loop_writes_nothing_and_bursts_draw_once() {
    let writer = CountingWriter::default();
    let bytes = writer.clone();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let mut terminal =
        Terminal::with_options(CrosstermBackend::new(writer), options).expect("terminal");
    let (sender, mut receiver) = mpsc::channel(64);
    let looping = tokio::spawn(async move {
        let mut app = common::app();
        run(&mut terminal, &mut app, &mut receiver, &mut Headless).await
    });
    let settle = || tokio::time::sleep(Duration::from_millis(100));
    settle().await;
    let after_first_frame = bytes.bytes();
    assert!(after_first_frame > 0, "the first frame is drawn");

    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        bytes.bytes(),
        after_first_frame,
        "nothing is written while idle"
    );

    sender.send(Msg::Key(char_key('x'))).await.expect("send");
    settle().await;
    assert_eq!(
        bytes.bytes(),
        after_first_frame,
        "an unbound key changes nothing visible"
    );

    for _ in 0..50 {
        sender.send(Msg::Key(char_key('?'))).await.expect("send");
    }
    sender.send(Msg::Key(char_key('?'))).await.expect("send");
    settle().await;
    let after_burst = bytes.bytes();
    assert!(after_burst > after_first_frame, "the help overlay is drawn");

    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(bytes.bytes(), after_burst, "idle again after the burst");

    drop(sender);
    let frames = looping.await.expect("join").expect("loop");
    assert_eq!(frames, 2, "one frame at start, one for the whole burst");
}

#[tokio::test(start_paused = true)]
async fn quit_key_ends_the_loop() {
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let mut terminal =
        Terminal::with_options(CrosstermBackend::new(CountingWriter::default()), options)
            .expect("terminal");
    let (sender, mut receiver) = mpsc::channel(8);
    sender.send(Msg::Key(char_key('q'))).await.expect("send");
    let mut app = common::app();
    let frames = run(&mut terminal, &mut app, &mut receiver, &mut Headless)
        .await
        .expect("loop");
    assert_eq!(frames, 1);
    drop(sender);
}

/// A key that opens a picker draws it at once, with no watch traffic to trigger a frame.
#[tokio::test(start_paused = true)]
async fn a_picker_is_drawn_in_the_frame_of_its_key() {
    use flightdeck::model::{Kind, Row};
    use flightdeck::store::{Delta, Scope, WatchState};
    let writer = CountingWriter::default();
    let bytes = writer.clone();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 100, 30)),
    };
    let mut terminal =
        Terminal::with_options(CrosstermBackend::new(writer), options).expect("terminal");
    let (sender, mut receiver) = mpsc::channel(64);
    let mut app = common::app();
    let mut deltas: Vec<Delta> = Kind::ALL
        .iter()
        .map(|k| Delta::State(*k, Scope::Cluster, WatchState::Live))
        .collect();
    for (kind, object) in [
        (
            Kind::Stage,
            serde_json::json!({"metadata": {"name": "staging", "namespace": "demo-app-dev"}}),
        ),
        (
            Kind::Freight,
            serde_json::json!({"metadata": {"name": "abcdef1234", "namespace": "demo-app-dev"}, "alias": "quiet-quokka"}),
        ),
    ] {
        deltas.push(Delta::Apply(Row::from_object(kind, &object)));
    }
    app.update(Msg::Kube(deltas));
    let looping = tokio::spawn(async move {
        let frames = run(&mut terminal, &mut app, &mut receiver, &mut Headless).await;
        (frames, app)
    });
    let settle = || tokio::time::sleep(Duration::from_millis(100));
    for c in ":freight".chars() {
        sender.send(Msg::Key(char_key(c))).await.expect("send");
    }
    sender
        .send(Msg::Key(key(KeyCode::Enter)))
        .await
        .expect("send");
    settle().await;
    let on_the_list = bytes.bytes();
    sender.send(Msg::Key(char_key('P'))).await.expect("send");
    settle().await;
    assert!(
        bytes.bytes() > on_the_list,
        "the promote picker is drawn without waiting for another message"
    );
    drop(sender);
    let (frames, app) = looping.await.expect("join");
    frames.expect("loop");
    assert!(
        matches!(app.overlay, Some(flightdeck::ui::app::Overlay::Choose(_))),
        "P opened the picker"
    );
}

#[tokio::test]
async fn the_host_gets_every_effect_a_message_asks_for() {
    use flightdeck::model::{Kind, Row};
    use flightdeck::store::Delta;
    use flightdeck::ui::msg::Effect;
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let mut terminal =
        Terminal::with_options(CrosstermBackend::new(CountingWriter::default()), options)
            .expect("terminal");
    let (sender, mut receiver) = mpsc::channel(64);
    let mut app = common::app();
    app.settings.prometheus_url = Some("http://prometheus:9090".into());
    let application = serde_json::json!({"metadata": {"name": "shop-dev", "namespace": "argocd"}, "spec": {"destination": {"namespace": "shop-dev"}}});
    let rollout = serde_json::json!({"metadata": {"name": "shop-dev", "namespace": "shop-dev"}});
    sender
        .send(Msg::Kube(vec![
            Delta::Apply(Row::from_object(Kind::Application, &application)),
            Delta::Apply(Row::from_object(Kind::Rollout, &rollout)),
        ]))
        .await
        .expect("send");
    sender
        .send(Msg::Key(KeyEvent::new(
            KeyCode::Char('z'),
            KeyModifiers::CONTROL,
        )))
        .await
        .expect("send");
    sender.send(Msg::Key(char_key('q'))).await.expect("send");
    let mut host = common::RecordingHost::default();
    run(&mut terminal, &mut app, &mut receiver, &mut host)
        .await
        .expect("loop");
    assert_eq!(host.suspended, 1, "ctrl-z is the loop's, through the host");
    // The batch asks for Prometheus targets and for the namespaces to watch the kinds in that
    // the user may not watch cluster-wide: Argo CD's, the target's, the Application's
    // destination.
    let namespaces = ["argocd", "demo-app-dev", "shop-dev"].map(String::from);
    assert!(
        matches!(&host.effects[..], [Effect::MetricTargets(targets), Effect::Watch(plan)]
            if targets.len() == 1 && plan.namespaces.iter().eq(namespaces.iter())),
        "{:?}",
        host.effects
    );
}
