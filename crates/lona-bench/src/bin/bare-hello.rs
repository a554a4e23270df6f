//! The floor of HTTP: a bare hyper server that answers every request with "Hello, world!".
//! `cargo xtask bench` measures lona's non-interactive hello page beside it. Prints its address
//! on the first line of stdout and serves until stdin closes.
#![allow(
    clippy::print_stdout,
    reason = "the address is the one line a bench runner reads"
)]

use std::convert::Infallible;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, header};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    let serve = async {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_request| async {
                    let mut response =
                        Response::new(Full::new(Bytes::from_static(b"Hello, world!")));
                    response.headers_mut().insert(
                        header::CONTENT_TYPE,
                        header::HeaderValue::from_static("text/plain; charset=utf-8"),
                    );
                    Ok::<_, Infallible>(response)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    };
    // Serve until the bench runner closes our stdin.
    let mut stdin = tokio::io::stdin();
    let mut rest = Vec::new();
    tokio::select! {
        () = serve => {}
        _ = stdin.read_to_end(&mut rest) => {}
    }
    Ok(())
}
