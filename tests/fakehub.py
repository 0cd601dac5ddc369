"""A fake Hugging Face hub on loopback: a test double at the model hub's HTTP interface.

It serves files under the real ``resolve`` URL layout, with LFS-style
redirects and ``X-Linked-Etag`` checksums, and can cut files short, corrupt
their checksum or hold LFS files back (``lfs_gate``), so the real downloader
is tested without the internet.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WHISPER_BASE = "/Systran/faster-whisper-base/resolve/main/"
PIPER_BASE = "/rhasspy/piper-voices/resolve/main/en/en_US/joe/medium/"


class FakeHub:
    """A loopback HTTP server laid out like huggingface.co's ``resolve`` URLs."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.redirect_lfs = True
        self.truncate: set[str] = set()
        self.wrong_sha: set[str] = set()
        self.requests: list[str] = []
        # Cleared: requests for LFS files wait until it is set again (a download
        # caught half-way, deterministically).
        self.lfs_gate = threading.Event()
        self.lfs_gate.set()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                hub.requests.append(self.path)
                path = self.path.removeprefix("/cdn")
                body = hub.files.get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                lfs = path.endswith((".bin", ".onnx"))
                sha = hashlib.sha256(body + (b"x" if path in hub.wrong_sha else b"")).hexdigest()
                if lfs and hub.redirect_lfs and not self.path.startswith("/cdn"):
                    self.send_response(302)  # like the hub: checksum on the redirect
                    self.send_header("Location", "/cdn" + path)
                    self.send_header("X-Linked-Etag", f'"{sha}"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if lfs:
                    hub.lfs_gate.wait(30)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                if lfs:
                    self.send_header("X-Linked-Etag", f'"{sha}"')
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if path in hub.truncate else body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @classmethod
    def with_tiny_models(cls, whisper_dir: Path, piper_voice: Path) -> FakeHub:
        """A hub serving the suite's tiny models as ``base`` and ``en_US-joe-medium``."""
        fake = cls()
        for name in ("config.json", "model.bin", "tokenizer.json"):
            fake.files[WHISPER_BASE + name] = (whisper_dir / name).read_bytes()
        # The real base repo ships vocabulary.txt; the test model has the JSON form.
        fake.files[WHISPER_BASE + "vocabulary.json"] = (
            whisper_dir / "vocabulary.json"
        ).read_bytes()
        fake.files[PIPER_BASE + "en_US-joe-medium.onnx"] = piper_voice.read_bytes()
        fake.files[PIPER_BASE + "en_US-joe-medium.onnx.json"] = Path(
            f"{piper_voice}.json"
        ).read_bytes()
        return fake

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
