//! A minimal Redis client: the `redis://` URL, one blocking connection, RESP2 commands and
//! replies. The broker needs five commands (AUTH, PING, PUBLISH, PSUBSCRIBE and the pushes
//! that follow it), which is less code than the `redis` crate's URL parser pulls in (see
//! ARCHITECTURE.md).

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where Redis is, from a `redis://[[user]:password@]host[:port][/db]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
}

/// The largest bulk string or array a reply may announce: a peer that claims more is broken
/// (or not Redis), and we must not allocate what it claims.
const MAX_LEN: usize = 512 * 1024 * 1024;

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

fn protocol(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

impl Address {
    /// Reads a `redis://` URL. The database number is accepted and ignored: pub/sub channels
    /// are shared by all databases of a server.
    pub(crate) fn parse(url: &str) -> io::Result<Address> {
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| invalid(format!("{url:?} is not a redis:// URL")))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (credentials, host_port) = match authority.rsplit_once('@') {
            Some((credentials, host_port)) => (Some(credentials), host_port),
            None => (None, authority),
        };
        let decode = |s: &str| -> io::Result<String> {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| invalid(format!("{url:?}: the credentials are not UTF-8")))
        };
        let (username, password) = match credentials {
            None => (None, None),
            Some(credentials) => match credentials.split_once(':') {
                Some((user, password)) => (
                    Some(decode(user)?).filter(|u| !u.is_empty()),
                    Some(decode(password)?),
                ),
                None => (Some(decode(credentials)?).filter(|u| !u.is_empty()), None),
            },
        };
        // `[::1]:6379` is an IPv6 host with a port.
        let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| invalid(format!("{url:?}: an unclosed [ in the host")))?;
            (host, after.strip_prefix(':'))
        } else {
            match host_port.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (host_port, None),
            }
        };
        let port = match port {
            None | Some("") => 6379,
            Some(port) => port
                .parse()
                .map_err(|_| invalid(format!("{url:?}: {port:?} is not a port")))?,
        };
        let host = if host.is_empty() { "127.0.0.1" } else { host };
        Ok(Address {
            host: host.to_owned(),
            port,
            username,
            password,
        })
    }
}

impl std::fmt::Display for Address {
    /// The host and port, never the password (this goes into logs and errors).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// One RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// One connection to Redis.
#[derive(Debug)]
pub(crate) struct Conn {
    stream: TcpStream,
    /// Bytes read and not yet parsed: a read timeout may fall in the middle of a reply.
    buffer: Vec<u8>,
}

impl Conn {
    /// Connects, authenticates if the URL has a password, and checks the server with PING.
    pub(crate) fn open(address: &Address, timeout: Duration) -> io::Result<Conn> {
        let mut last = None;
        let mut stream = None;
        for socket in (address.host.as_str(), address.port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&socket, timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(error) => last = Some(error),
            }
        }
        let stream = stream.ok_or_else(|| {
            last.unwrap_or_else(|| invalid(format!("{address} resolves to no address")))
        })?;
        stream.set_nodelay(true)?;
        // Replies to commands come at once; a silent server is a broken one.
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let mut conn = Conn {
            stream,
            buffer: Vec::new(),
        };
        if let Some(password) = &address.password {
            match &address.username {
                Some(user) => conn.command(&[b"AUTH", user.as_bytes(), password.as_bytes()])?,
                None => conn.command(&[b"AUTH", password.as_bytes()])?,
            };
        }
        match conn.command(&[b"PING"])? {
            Reply::Simple(pong) if pong == "PONG" => Ok(conn),
            other => Err(protocol(format!("PING answered {other:?}"))),
        }
    }

    /// A handle to the same socket, to shut it down from another thread.
    pub(crate) fn try_clone_stream(&self) -> io::Result<TcpStream> {
        self.stream.try_clone()
    }

    /// Sets how long [`Conn::read`] waits.
    pub(crate) fn set_read_timeout(&self, timeout: Duration) -> io::Result<()> {
        self.stream.set_read_timeout(Some(timeout))
    }

    /// Sends a command and reads its reply; an error reply is an error.
    pub(crate) fn command(&mut self, args: &[&[u8]]) -> io::Result<Reply> {
        self.send(args)?;
        match self.read()? {
            Some(Reply::Error(message)) => Err(io::Error::other(format!("Redis: {message}"))),
            Some(reply) => Ok(reply),
            None => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "Redis did not answer in time",
            )),
        }
    }

    /// Sends a command without reading its reply.
    pub(crate) fn send(&mut self, args: &[&[u8]]) -> io::Result<()> {
        let mut out = Vec::with_capacity(16 + args.iter().map(|a| a.len() + 16).sum::<usize>());
        out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for arg in args {
            out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            out.extend_from_slice(arg);
            out.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&out)
    }

    /// The next reply; `None` if the read timeout passed first (what was read is kept).
    pub(crate) fn read(&mut self) -> io::Result<Option<Reply>> {
        loop {
            if let Some((reply, used)) = parse(&self.buffer)? {
                self.buffer.drain(..used);
                return Ok(Some(reply));
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "Redis closed the connection",
                    ));
                }
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

/// Parses one reply from the start of `buffer`: the reply and the bytes it took, `None` if
/// the buffer holds only part of one.
pub(crate) fn parse(buffer: &[u8]) -> io::Result<Option<(Reply, usize)>> {
    let Some(kind) = buffer.first() else {
        return Ok(None);
    };
    let Some(line_end) = buffer.windows(2).position(|w| w == b"\r\n") else {
        return Ok(None);
    };
    let line = std::str::from_utf8(&buffer[1..line_end])
        .map_err(|_| protocol("a reply line that is not UTF-8"))?;
    let after = line_end + 2;
    let length = |line: &str| -> io::Result<Option<usize>> {
        let n: i64 = line
            .parse()
            .map_err(|_| protocol(format!("{line:?} is not a length")))?;
        match usize::try_from(n) {
            Ok(n) if n <= MAX_LEN => Ok(Some(n)),
            Ok(_) => Err(protocol(format!("a reply of {n} items or bytes"))),
            Err(_) if n == -1 => Ok(None),
            Err(_) => Err(protocol(format!("a negative length {n}"))),
        }
    };
    match kind {
        b'+' => Ok(Some((Reply::Simple(line.to_owned()), after))),
        b'-' => Ok(Some((Reply::Error(line.to_owned()), after))),
        b':' => {
            let n = line
                .parse()
                .map_err(|_| protocol(format!("{line:?} is not an integer")))?;
            Ok(Some((Reply::Int(n), after)))
        }
        b'$' => match length(line)? {
            None => Ok(Some((Reply::Bulk(None), after))),
            Some(n) => {
                let end = after + n;
                if buffer.len() < end + 2 {
                    return Ok(None);
                }
                if &buffer[end..end + 2] != b"\r\n" {
                    return Err(protocol("a bulk string without its CRLF"));
                }
                Ok(Some((
                    Reply::Bulk(Some(buffer[after..end].to_vec())),
                    end + 2,
                )))
            }
        },
        b'*' => match length(line)? {
            None => Ok(Some((Reply::Array(None), after))),
            Some(n) => {
                let mut items = Vec::with_capacity(n.min(1024));
                let mut at = after;
                for _ in 0..n {
                    let Some((item, used)) = parse(&buffer[at..])? else {
                        return Ok(None);
                    };
                    items.push(item);
                    at += used;
                }
                Ok(Some((Reply::Array(Some(items)), at)))
            }
        },
        other => Err(protocol(format!(
            "a reply starting with byte {other:#04x}, which RESP2 does not have"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_and_credentials() {
        let a = Address::parse("redis://127.0.0.1:6380/0").expect("a valid URL");
        assert_eq!((a.host.as_str(), a.port), ("127.0.0.1", 6380));
        assert_eq!((a.username, a.password), (None, None));
        let a = Address::parse("redis://:p%40ss@redis.internal").expect("a valid URL");
        assert_eq!((a.host.as_str(), a.port), ("redis.internal", 6379));
        assert_eq!(a.password.as_deref(), Some("p@ss"));
        let a = Address::parse("redis://app:pw@[::1]:7000/").expect("a valid URL");
        assert_eq!((a.host.as_str(), a.port), ("::1", 7000));
        assert_eq!(a.username.as_deref(), Some("app"));
        assert_eq!(a.to_string(), "[::1]:7000");
        Address::parse("http://localhost").expect_err("not redis://");
        Address::parse("redis://host:port").expect_err("not a port");
    }

    #[test]
    fn replies_parse_whole_or_wait_for_more() {
        let frame = b"*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$3\r\nabc\r\n$2\r\n{}\r\n";
        let (reply, used) = parse(frame).expect("valid").expect("complete");
        assert_eq!(used, frame.len());
        let Reply::Array(Some(items)) = reply else {
            panic!("an array, got {reply:?}");
        };
        assert_eq!(items[3], Reply::Bulk(Some(b"{}".to_vec())));
        for cut in 0..frame.len() {
            assert_eq!(parse(&frame[..cut]).expect("valid so far"), None);
        }
        assert_eq!(
            parse(b":12\r\n+OK\r\n").expect("valid"),
            Some((Reply::Int(12), 5))
        );
        parse(b"?what\r\n").expect_err("unknown type");
        parse(b"$-5\r\n").expect_err("negative length");
        parse(b"$99999999999\r\n").expect_err("too long");
    }
}
