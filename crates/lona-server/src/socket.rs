//! One browser socket, from its upgrade on: the reader decodes frames and hands them to the runtime; the writer
//! drains the connection's outbox. Neither ever waits on a view.
//!
//! Bad input is answered per message: a malformed frame is logged and counted, and the socket
//! is closed only when a client keeps sending them (close 1008) or sends one over the size
//! limit (close 1009). Other views, on this socket or others, go on.

use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use lona_protocol::client::{ClientMessage, Frame, decode_client_with};
use lona_protocol::{DecodeLimits, ServerMessage, WindowId};
use lona_runtime::{
    CloseReason, Connection, FrameText, Limit, OutboxLimits, Outgoing, Request, SessionId,
    StartError, Untrusted, ViewFactory,
};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::state::State;
use crate::target::Target;

mod error_view;
mod limits;
mod upgrade;

use error_view::{AnsweredView, error_view};
use limits::SocketLimits;
pub(crate) use upgrade::{is_upgrade, upgrade};

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// How a socket's writer ended, as its reader learns it.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Ending {
    /// Still writing.
    Open,
    /// The server's close frame went out.
    CloseSent,
    /// `net_sim` cut the connection (no close frame).
    Cut,
}

/// The writer's ending, shared with the reader: a state and one wake-up. A watch channel did
/// the same with eight notifiers and a lock, about 350 bytes per open socket; this is 40.
#[derive(Default)]
struct EndingSignal {
    state: AtomicU8,
    notify: tokio::sync::Notify,
}

impl EndingSignal {
    fn get(&self) -> Ending {
        match self.state.load(Ordering::Acquire) {
            0 => Ending::Open,
            2 => Ending::Cut,
            _ => Ending::CloseSent,
        }
    }

    /// Returns once the writer ended, with how. A wake-up between the look and the wait is
    /// kept by the notifier as a permit, so none is lost.
    async fn ended(&self) -> Ending {
        loop {
            let ending = self.get();
            if ending != Ending::Open {
                return ending;
            }
            self.notify.notified().await;
        }
    }
}

/// The writer's end of the signal. A writer gone without a word (returned, panicked or
/// aborted) counts as a close sent.
struct EndingTx(Arc<EndingSignal>);

impl EndingTx {
    fn send(&self, ending: Ending) {
        self.0.state.store(ending as u8, Ordering::Release);
        self.0.notify.notify_one();
    }
}

impl Drop for EndingTx {
    fn drop(&mut self) {
        if self.0.get() == Ending::Open {
            self.send(Ending::CloseSent);
        }
    }
}

/// How long the peer has to answer the server's close frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// The shortest ping interval, whatever the setting says (0 would ping without pause).
const MIN_PING_INTERVAL: std::time::Duration = std::time::Duration::from_millis(10);

pub(crate) async fn run(
    state: Arc<State>,
    (mut sink, mut stream): (SplitSink<Socket, Message>, SplitStream<Socket>),
    session: SessionId,
    client: crate::client_addr::Client,
) {
    let limits = OutboxLimits {
        merge_at: state.settings.outbox_merge_at,
        close_at: state.settings.outbox_close_at,
    };
    let connection = Connection::new(session, limits).with_client_addr(client.ip);
    tracing::debug!(connection = connection.id().0, client = %client.ip, "socket opened");
    state.register_socket(&connection);

    // How the writer ended, for the reader: after the server's close frame it waits only a
    // moment for the peer's reply, so an unresponsive client cannot hold a shutdown; after a
    // `net_sim` cut it stops at once. One small signal for both keeps an open socket small.
    let ending = Arc::new(EndingSignal::default());
    let ending_tx = EndingTx(Arc::clone(&ending));
    let writer = {
        let connection = Arc::clone(&connection);
        let ping_every = state
            .settings
            .websocket_ping_interval
            .max(MIN_PING_INTERVAL);
        let net_sim = state.net_sim;
        let mut dice = net_sim.map(|_| crate::net_sim::Dice::new());
        tokio::spawn(async move {
            // The server pings, so that a peer that went away without a word is noticed by
            // the reader's liveness deadline; browsers answer pings by themselves.
            let mut ping =
                tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
            ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            'writing: loop {
                let mut message = tokio::select! {
                    message = poll_fn(|cx| connection.poll_next(cx)) => message,
                    _ = ping.tick() => {
                        if sink.send(Message::Ping(Default::default())).await.is_err() {
                            break 'writing;
                        }
                        continue 'writing;
                    }
                };
                if let (Some(sim), Some(dice)) = (&net_sim, dice.as_mut()) {
                    // A slow network: the write waits; what queues meanwhile goes with it.
                    tokio::time::sleep(sim.step(dice).delay).await;
                }
                // Feed everything queued, then flush once: an ACK and the patch it led to
                // often leave in one write.
                loop {
                    match message {
                        Outgoing::Close(reason) => {
                            let (code, text) = close_code(reason);
                            let frame = CloseFrame {
                                code,
                                reason: text.into(),
                            };
                            let _ = sink.send(Message::Close(Some(frame))).await;
                            ending_tx.send(Ending::CloseSent);
                            break 'writing;
                        }
                        other => {
                            if let (Some(sim), Some(dice)) = (&net_sim, dice.as_mut())
                                && sim.loses(dice)
                            {
                                // A lossy network: the connection breaks instead, with no
                                // close frame (see net_sim.rs); dropping the sink closes it.
                                tracing::debug!(
                                    connection = connection.id().0,
                                    "net_sim cuts a socket"
                                );
                                ending_tx.send(Ending::Cut);
                                return;
                            }
                            if let Some(text) = frame_message(other)
                                && sink.feed(text).await.is_err()
                            {
                                break 'writing;
                            }
                        }
                    }
                    match connection.try_next() {
                        Some(next) => message = next,
                        None => break,
                    }
                }
                if sink.flush().await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        })
    };

    let mut decode_limits = DecodeLimits::default();
    decode_limits.max_frame_bytes = state.settings.max_message_size;
    let mut malformed = 0u32;
    let mut socket_limits = SocketLimits::new(&state.settings);
    // A socket must ask for a view within the handshake timeout, and send something (a
    // message, a pong) within every liveness timeout.
    let opened = tokio::time::Instant::now();
    let handshake_deadline = opened + state.settings.websocket_handshake_timeout;
    let liveness = state.settings.websocket_liveness_timeout;
    let mut last_heard = opened;
    let mut viewed = false;
    // One timer for the socket's life, set to a deadline that only moves later: re-arming it
    // for every message would register and unregister a timer per click. When it fires early
    // (a message came since it was set), it is set again for the deadline in force.
    let mut timer = std::pin::pin!(tokio::time::sleep_until(
        (opened + liveness).min(handshake_deadline)
    ));
    loop {
        let deadline = if viewed {
            last_heard + liveness
        } else {
            (last_heard + liveness).min(handshake_deadline)
        };
        let message = tokio::select! {
            message = stream.next() => message,
            ended = ending.ended() => {
                if ended != Ending::Cut {
                    let _ = tokio::time::timeout(CLOSE_GRACE, stream.next()).await;
                }
                break;
            }
            () = timer.as_mut() => {
                if tokio::time::Instant::now() < deadline {
                    timer.as_mut().reset(deadline);
                    continue;
                }
                if !viewed && tokio::time::Instant::now() >= handshake_deadline {
                    tracing::debug!(
                        connection = connection.id().0,
                        client = %client.ip,
                        "closing a socket that asked for no view"
                    );
                    state.runtime.trip(Limit::HandshakeTimeout);
                    connection.close(CloseReason::LimitReached);
                } else {
                    tracing::debug!(
                        connection = connection.id().0,
                        client = %client.ip,
                        "closing a socket that went silent"
                    );
                    state.runtime.trip(Limit::Liveness);
                    connection.close(CloseReason::Unresponsive);
                }
                break;
            }
        };
        let Some(message) = message else {
            break;
        };
        last_heard = tokio::time::Instant::now();
        match message {
            Ok(Message::Text(text)) => {
                match handle_text(
                    &state,
                    &connection,
                    text.as_str(),
                    &decode_limits,
                    &mut socket_limits,
                ) {
                    Handled::View => {
                        viewed = true;
                        malformed = 0;
                    }
                    Handled::Other => malformed = 0,
                    Handled::Refused(limit, reason) => {
                        state.runtime.trip(limit);
                        tracing::warn!(
                            connection = connection.id().0,
                            client = %client.ip,
                            limit = limit.name(),
                            "closing a socket over a limit"
                        );
                        connection.close(reason);
                        break;
                    }
                    Handled::Malformed => {
                        malformed += 1;
                        if malformed >= state.settings.max_malformed_messages {
                            tracing::warn!(
                                connection = connection.id().0,
                                "closing a socket that sends garbage"
                            );
                            connection.close(CloseReason::ProtocolError);
                            break;
                        }
                    }
                }
            }
            Ok(Message::Binary(_)) => {
                malformed += 1;
                if malformed >= state.settings.max_malformed_messages {
                    connection.close(CloseReason::ProtocolError);
                    break;
                }
            }
            // tungstenite answers pings itself; a close ends the loop.
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
            Ok(Message::Close(_)) => break,
            Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size })) => {
                tracing::warn!(
                    size,
                    max_size,
                    "closing a socket that sent an oversized message"
                );
                connection.close(CloseReason::TooLarge);
                break;
            }
            // A frame that breaks the protocol (unmasked, reserved opcode or bits...) or a text
            // that is not UTF-8: the peer is told why, with the code RFC 6455 gives it.
            Err(WsError::Protocol(error)) => {
                tracing::debug!(
                    connection = connection.id().0,
                    %error,
                    "closing a socket that broke the protocol"
                );
                connection.close(CloseReason::InvalidFrame);
                break;
            }
            Err(WsError::Utf8(error)) => {
                tracing::debug!(
                    connection = connection.id().0,
                    %error,
                    "closing a socket that sent text that is not UTF-8"
                );
                connection.close(CloseReason::InvalidUtf8);
                break;
            }
            Err(error) => {
                tracing::debug!(%error, "socket read failed");
                break;
            }
        }
    }
    // The browser is gone (or is being sent away): its views stop unless they are daemons.
    state.runtime.connection_closed(&connection);
    connection.close(CloseReason::ServerStop);
    // A peer that reads nothing can hold the writer's last send forever.
    let mut writer = writer;
    if tokio::time::timeout(CLOSE_GRACE, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    state.unregister_socket(&connection);
}

/// The text message of an outgoing frame. A broadcast's shared frame is written as the bytes
/// every watcher's writer holds: a reference count, no copy (the UTF-8 check is a scan).
fn frame_message(message: Outgoing) -> Option<Message> {
    match message.into_text()? {
        FrameText::Owned(frame) => Some(Message::text(frame)),
        FrameText::Shared(bytes) => Utf8Bytes::try_from(bytes).ok().map(Message::Text),
    }
}

fn close_code(reason: CloseReason) -> (CloseCode, &'static str) {
    match reason {
        CloseReason::ServerStop => (CloseCode::Away, "server is shutting down"),
        CloseReason::Lagging => (CloseCode::Again, "client fell behind; reconnect"),
        CloseReason::TooLarge => (CloseCode::Size, "message too large"),
        CloseReason::ProtocolError => (CloseCode::Policy, "too many malformed messages"),
        CloseReason::InvalidFrame => (CloseCode::Protocol, "invalid WebSocket frame"),
        CloseReason::InvalidUtf8 => (CloseCode::Invalid, "text frame is not UTF-8"),
        CloseReason::RateLimited => (CloseCode::Policy, "rate limit exceeded"),
        CloseReason::LimitReached => (CloseCode::Policy, "limit reached"),
        CloseReason::Unresponsive => (CloseCode::Away, "no answer to ping"),
        _ => (CloseCode::Error, "closed by the server"),
    }
}

/// What became of one text frame.
enum Handled {
    /// A request for a view (VIEW): the socket's handshake is done.
    View,
    /// Any other message, handled (or refused by the runtime, which answers the window
    /// itself).
    Other,
    /// Not a frame of the protocol.
    Malformed,
    /// Over one of the socket's limits: the socket is closed for this reason.
    Refused(Limit, CloseReason),
}

/// Handles one text frame.
fn handle_text(
    state: &State,
    connection: &Arc<Connection>,
    text: &str,
    limits: &DecodeLimits,
    socket_limits: &mut SocketLimits,
) -> Handled {
    let message = match decode_client_with(text, limits) {
        Ok(Frame::Lona(message)) => message,
        // Custom messages are for middlewares; an answer goes back to the socket.
        Ok(Frame::Custom(message)) => {
            let session = &*connection.session().0;
            if let crate::Decision::Answer(answer) = state
                .middlewares
                .decide(|m| m.handle_websocket_message(session, message))
            {
                connection.send(Outgoing::Frame(answer));
            }
            return Handled::Other;
        }
        Err(error) => {
            let error = error.to_string();
            tracing::debug!(connection = connection.id().0, error = %Untrusted(&error), "malformed message");
            return Handled::Malformed;
        }
    };
    match message {
        ClientMessage::View {
            window,
            url,
            post_data,
            ack,
            adopt,
        } => {
            if let Err((limit, reason)) = socket_limits.view(window) {
                return Handled::Refused(limit, reason);
            }
            // The view its page was painted with, if the token still names one of this
            // session's; otherwise (used, another session's, expired) a fresh view, as a
            // plain VIEW would start: never an error page. The runtime counts the refusal.
            let adopted = adopt.is_some_and(|token| {
                state
                    .runtime
                    .adopt_view(connection, window, &token, ack)
                    .is_ok()
            });
            if !adopted {
                start_view(state, connection, window, url, post_data, ack);
            }
            return Handled::View;
        }
        ClientMessage::InputEvent {
            window,
            runtime,
            event,
        } => {
            if let Err((limit, reason)) = socket_limits.event() {
                return Handled::Refused(limit, reason);
            }
            state
                .runtime
                .input_event(connection, window, runtime, event);
        }
        ClientMessage::ClientError {
            window,
            runtime,
            message,
        } => state
            .runtime
            .client_error(connection, window, runtime, &message),
        ClientMessage::Ping => {
            connection.send(Outgoing::Frame(ServerMessage::Pong.encode()));
        }
        ClientMessage::Ack {
            window,
            runtime,
            seq,
        } => {
            if state.runtime.ack(connection, window, runtime, seq).is_err() {
                tracing::debug!(
                    connection = connection.id().0,
                    seq,
                    "an ACK above the last frame sent"
                );
                return Handled::Malformed;
            }
        }
        // A RESUME is a view request for the rate limit and the window count: a flood of
        // them closes the socket as a flood of VIEWs does.
        ClientMessage::Resume {
            window,
            runtime,
            url: _,
            seq,
            token,
            last_event,
        } => {
            if let Err((limit, reason)) = socket_limits.view(window) {
                return Handled::Refused(limit, reason);
            }
            if let Err(reason) = state
                .runtime
                .resume_view(connection, window, runtime, seq, &token, last_event)
            {
                tracing::debug!(
                    connection = connection.id().0,
                    view = runtime.0,
                    reason = reason.as_str(),
                    "a resume failed"
                );
                // Unnumbered, even when the window id holds another acknowledged view.
                connection.send(Outgoing::Stamped(
                    ServerMessage::ResumeFailed { window, reason }.encode(),
                ));
            }
            return Handled::View;
        }
    }
    Handled::Other
}

fn start_view(
    state: &State,
    connection: &Arc<Connection>,
    window: WindowId,
    url: String,
    post_data: lona_protocol::client::PostData,
    ack: bool,
) {
    let mut request = Request::new(url, connection.session().clone());
    request.post = post_data;
    match state
        .middlewares
        .decide(|m| m.handle_view_request(&mut request))
    {
        crate::Decision::Pass => {}
        crate::Decision::Forbid => {
            let _ = state
                .runtime
                .start_view(&error_view(403), request, connection, window);
            return;
        }
        crate::Decision::Answer(response) => {
            // Shown as the view's own answer would be: VIEW_START, the data, VIEW_STOP.
            let answered = ViewFactory::asynchronous(move |_| AnsweredView(response.clone()));
            let _ = state
                .runtime
                .start_view(&answered, request, connection, window);
            return;
        }
    }
    let route = state.router.resolve(&request.path);
    let factory = match route.as_ref().map(|r| r.target) {
        Some(Target::View(factory, _)) => {
            let factory = factory.clone();
            if let Some(route) = route {
                request.match_info = route.args;
                request.route = route.name.map(Arc::from);
            }
            factory
        }
        Some(Target::Http(_) | Target::AsyncHttp(_) | Target::Page(_)) => {
            // Not a view: let the browser load it as a page, as Lona does.
            state.runtime.detach_window(connection, window);
            let frame = ServerMessage::HttpRedirect {
                window,
                runtime: None,
                url: &request.url,
            };
            connection.send(Outgoing::Frame(frame.encode()));
            return;
        }
        None => error_view(404),
    };
    let started = if ack {
        state
            .runtime
            .start_view_acked(&factory, request.clone(), connection, window)
    } else {
        state
            .runtime
            .start_view(&factory, request.clone(), connection, window)
    };
    match started {
        Ok(_) => {}
        Err(StartError::Busy) => {
            tracing::warn!("every view thread is busy and the queue is full");
            let _ = state
                .runtime
                .start_view(&error_view(503), request, connection, window);
        }
        // The runtime counted the trip. Over its share of the runtime pool, the visitor is
        // told the server is busy (it is, for them); over a view count, that it has too many.
        Err(StartError::LimitReached(limit)) => {
            let status = if limit == lona_runtime::Limit::RuntimeShare {
                503
            } else {
                429
            };
            let _ = state
                .runtime
                .start_view(&error_view(status), request, connection, window);
        }
        Err(error) => tracing::debug!(%error, "no view started"),
    }
}
