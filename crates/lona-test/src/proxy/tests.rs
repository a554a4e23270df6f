//! Tests of the fault proxy against an echo server and plain upstream sockets on
//! `127.0.0.1:0`: each fault is seen from the peers' side, with no sleep to synchronise and
//! only lower bounds on time.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::{Direction, FaultProxy, Faults, Link};

mod websocket;

/// Every blocking read and write of a test gives up after this long.
const DEADLINE: Duration = Duration::from_secs(10);

/// How long a test watches for bytes that must not come.
const QUIET: Duration = Duration::from_millis(200);

/// An upstream that echoes every connection back, and half-closes when its peer does.
fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    spawn("echo", move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            spawn("echo connection", move || {
                let mut buffer = [0; 8192];
                while let Ok(n @ 1..) = stream.read(&mut buffer) {
                    if stream.write_all(&buffer[..n]).is_err() {
                        return;
                    }
                }
                let _ = stream.shutdown(Shutdown::Write);
            });
        }
    });
    addr
}

fn spawn<T: Send + 'static>(
    name: &str,
    run: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(run)
        .unwrap()
}

fn connect(proxy: &FaultProxy) -> TcpStream {
    let stream = TcpStream::connect(proxy.addr()).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

/// A client through a new proxy, and the upstream's side of its connection.
fn pair() -> (FaultProxy, TcpStream, TcpStream) {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = FaultProxy::start(upstream.local_addr().unwrap()).unwrap();
    let (client, server) = another(&proxy, &upstream);
    (proxy, client, server)
}

/// A new client through `proxy`, and `upstream`'s side of its connection.
fn another(proxy: &FaultProxy, upstream: &TcpListener) -> (TcpStream, TcpStream) {
    let client = connect(proxy);
    let (server, _) = upstream.accept().unwrap();
    server.set_read_timeout(Some(DEADLINE)).unwrap();
    server.set_write_timeout(Some(DEADLINE)).unwrap();
    (client, server)
}

fn read_exact(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut bytes = vec![0; n];
    stream.read_exact(&mut bytes).unwrap();
    bytes
}

fn round_trip(stream: &mut TcpStream, message: &[u8]) {
    stream.write_all(message).unwrap();
    assert_eq!(read_exact(stream, message.len()), message);
}

/// Sends a byte from `client` to `server`, and one back.
fn round_trip_between(client: &mut TcpStream, server: &mut TcpStream) {
    client.write_all(b"?").unwrap();
    assert_eq!(read_exact(server, 1), b"?");
    server.write_all(b"!").unwrap();
    assert_eq!(read_exact(client, 1), b"!");
}

/// Closes `stream` with a TCP reset.
fn reset(stream: TcpStream) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    stream.set_nonblocking(true).unwrap();
    let stream = tokio::net::TcpStream::from_std(stream).unwrap();
    stream.set_zero_linger().unwrap();
}

/// Whether the stream is closed: a read gives end of stream or a reset.
fn is_closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0];
    match stream.read(&mut byte) {
        Ok(n) => n == 0,
        Err(error) => !matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

/// Whether nothing arrives for [`QUIET`].
fn stays_quiet(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(QUIET)).unwrap();
    let mut byte = [0];
    let quiet = matches!(
        stream.read(&mut byte),
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
    );
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    quiet
}

#[test]
fn bytes_pass_unchanged_both_ways_and_are_counted() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    let mut client = connect(&proxy);
    let payload: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let writer = {
        let mut client = client.try_clone().unwrap();
        let payload = payload.clone();
        spawn("writer", move || {
            client.write_all(&payload).unwrap();
            client.shutdown(Shutdown::Write).unwrap();
        })
    };
    let mut echoed = Vec::new();
    client.read_to_end(&mut echoed).unwrap();
    writer.join().unwrap();
    assert!(echoed == payload, "the 1 MiB came back changed");
    let stats = proxy.stats();
    assert_eq!(stats.accepted, 1);
    assert_eq!(
        (stats.bytes_upstream, stats.bytes_downstream),
        (1 << 20, 1 << 20)
    );
}

#[test]
fn half_close_is_forwarded_as_half_close() {
    let (_proxy, mut client, mut server) = pair();
    client.write_all(b"last words").unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    let mut received = Vec::new();
    server.read_to_end(&mut received).unwrap();
    assert_eq!(received, b"last words");
    // The other way is still open.
    server.write_all(b"reply").unwrap();
    server.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"reply");
}

#[test]
fn cut_now_closes_both_sides_and_counts() {
    let (proxy, mut client, mut server) = pair();
    client.write_all(b"ping").unwrap();
    assert_eq!(read_exact(&mut server, 4), b"ping");
    proxy.cut_now();
    assert!(is_closed(&mut client));
    assert!(is_closed(&mut server));
    let stats = proxy.stats();
    assert_eq!((stats.accepted, stats.open, stats.cut), (1, 0, 1));
}

#[test]
fn cut_every_cuts_each_new_connection_in_turn() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    proxy.cut_every(Some(Duration::from_millis(50)));
    for _ in 0..2 {
        let mut client = connect(&proxy);
        assert!(is_closed(&mut client));
    }
    assert!(proxy.stats().cut >= 2);
    proxy.cut_every(None);
    round_trip(&mut connect(&proxy), b"spared");
}

#[test]
fn it_works_from_inside_an_async_runtime() {
    let (proxy, mut client, mut server) = pair();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let proxy = runtime.block_on(async move {
        proxy.latency(Direction::Both, Duration::from_millis(1));
        proxy.cut_now();
        let (_, _, _) = pair();
        proxy
    });
    assert!(is_closed(&mut client));
    assert!(is_closed(&mut server));
    drop(proxy);
}

#[test]
fn dropping_the_proxy_closes_its_connections() {
    let (proxy, mut client, mut server) = pair();
    drop(proxy);
    assert!(is_closed(&mut client));
    assert!(is_closed(&mut server));
}

#[test]
fn a_connection_made_in_a_blackhole_goes_through_after_restore() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    proxy.blackhole();
    let mut client = connect(&proxy);
    client.write_all(b"hello?").unwrap();
    assert!(stays_quiet(&mut client));
    proxy.restore();
    assert_eq!(read_exact(&mut client, 6), b"hello?");
}

#[test]
fn blackhole_holds_bytes_both_ways_until_restore() {
    let (proxy, mut client, mut server) = pair();
    proxy.blackhole();
    client.write_all(b"up").unwrap();
    server.write_all(b"down").unwrap();
    assert!(stays_quiet(&mut server));
    assert!(stays_quiet(&mut client));
    assert_eq!(proxy.stats().open, 1, "a blackhole closes nothing");
    proxy.restore();
    assert_eq!(read_exact(&mut server, 2), b"up");
    assert_eq!(read_exact(&mut client, 4), b"down");
}

#[test]
fn latency_and_jitter_delay_without_reordering() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    let mut client = connect(&proxy);
    round_trip(&mut client, b"warm");
    let latency = Duration::from_millis(100);
    proxy.latency(Direction::Both, latency);
    proxy.jitter(Direction::Both, Duration::from_millis(50));
    let start = Instant::now();
    let mut sent = Vec::new();
    for i in 0..100u32 {
        let message = format!("{i:03};");
        client.write_all(message.as_bytes()).unwrap();
        sent.extend_from_slice(message.as_bytes());
    }
    assert_eq!(read_exact(&mut client, sent.len()), sent);
    assert!(start.elapsed() >= 2 * latency, "{:?}", start.elapsed());
}

#[test]
fn set_faults_replaces_them_all_and_the_default_heals() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    let mut client = connect(&proxy);
    let slow = Link {
        latency: Duration::from_millis(30),
        ..Link::default()
    };
    let faults = Faults {
        downstream: slow,
        blackhole: true,
        ..Faults::default()
    };
    proxy.set_faults(faults.clone());
    assert_eq!(proxy.faults(), faults);
    client.write_all(b"wait").unwrap();
    assert!(stays_quiet(&mut client));
    proxy.set_faults(Faults::default());
    assert_eq!(read_exact(&mut client, 4), b"wait");
    assert_eq!(proxy.faults(), Faults::default());
}

#[test]
fn throttle_paces_the_bytes() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    proxy.throttle(Direction::Upstream, Some(32 * 1024));
    let mut client = connect(&proxy);
    let payload = vec![7; 64 * 1024];
    let start = Instant::now();
    let writer = {
        let mut client = client.try_clone().unwrap();
        let payload = payload.clone();
        spawn("writer", move || client.write_all(&payload).unwrap())
    };
    assert_eq!(read_exact(&mut client, payload.len()), payload);
    writer.join().unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn pause_holds_what_was_sent_and_resume_delivers_it() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    let mut client = connect(&proxy);
    round_trip(&mut client, b"warm");
    proxy.pause(Direction::Upstream);
    client.write_all(b"held").unwrap();
    assert!(stays_quiet(&mut client));
    proxy.resume(Direction::Upstream);
    assert_eq!(read_exact(&mut client, 4), b"held");
}

#[test]
fn a_paused_reader_makes_the_senders_writes_block() {
    let (proxy, mut client, mut server) = pair();
    proxy.pause(Direction::Downstream);
    server.set_nonblocking(true).unwrap();
    let chunk = [1; 64 * 1024];
    let mut written = 0;
    loop {
        match server.write(&chunk) {
            Ok(n) => written += n,
            Err(error) if error.kind() == ErrorKind::WouldBlock => break,
            Err(error) => panic!("{error}"),
        }
        assert!(written < 256 << 20, "the writes never blocked");
    }
    assert!(stays_quiet(&mut client), "the proxy read while paused");
    server.set_nonblocking(false).unwrap();
    proxy.resume(Direction::Downstream);
    assert_eq!(read_exact(&mut client, written).len(), written);
}

#[test]
fn refuse_new_resets_new_connections_while_open_ones_live() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    let mut old = connect(&proxy);
    round_trip(&mut old, b"before");
    proxy.refuse_new(true);
    let mut refused = connect(&proxy);
    assert!(is_closed(&mut refused));
    round_trip(&mut old, b"during");
    proxy.refuse_new(false);
    let mut new = connect(&proxy);
    round_trip(&mut new, b"after");
    let stats = proxy.stats();
    assert_eq!((stats.accepted, stats.refused, stats.open), (2, 1, 2));
}

#[test]
fn peers_that_reset_do_not_stop_the_proxy() {
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = FaultProxy::start(upstream.local_addr().unwrap()).unwrap();
    // The upstream resets...
    let (mut client, mut server) = another(&proxy, &upstream);
    round_trip_between(&mut client, &mut server);
    reset(server);
    assert!(is_closed(&mut client));
    // ...then a client does.
    let (client, mut server) = another(&proxy, &upstream);
    reset(client);
    assert!(is_closed(&mut server));
    // Bytes of any value pass, both ways.
    let (mut client, mut server) = another(&proxy, &upstream);
    let garbage: Vec<u8> = (0..=255).collect();
    client.write_all(&garbage).unwrap();
    assert_eq!(read_exact(&mut server, 256), garbage);
    server.write_all(&garbage).unwrap();
    assert_eq!(read_exact(&mut client, 256), garbage);
    let stats = proxy.stats();
    assert_eq!((stats.accepted, stats.open), (3, 1));
}

#[test]
fn a_dead_upstream_resets_the_client() {
    let unused = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = unused.local_addr().unwrap();
    drop(unused);
    let proxy = FaultProxy::start(addr).unwrap();
    assert!(is_closed(&mut connect(&proxy)));
    assert_eq!(proxy.stats().open, 0);
}
