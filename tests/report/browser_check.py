#!/usr/bin/python3
"""Renders a report in headless Chromium and fails on anything a reader would hit.

usage: browser_check.py CHROMIUM REPORT.html SCREENSHOT.png

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe; standard library
only) and fails when:
  - the page logs a console error or warning, throws, or Chromium logs an error (a failed load);
  - the page requests anything but file: and data: URLs (it must be self-contained);
  - an image (chart or thumbnail) does not decode;
  - clicking the F1 heading of the per-class table (when there is one: a category output) does
    not sort its rows by F1;
  - at phone width (390 px) the page itself scrolls sideways (wide tables must scroll inside
    their own box).
Writes a full-page screenshot at 1000 px width.
"""
import base64
import json
import os
import subprocess
import sys
import time


class Browser:
    def __init__(self, chromium):
        self.r_child, self.w_parent = os.pipe()  # parent -> chromium (its fd 3)
        self.r_parent, self.w_child = os.pipe()  # chromium -> parent (its fd 4)
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--mute-audio",
             "--user-data-dir=" + os.environ.get("TMPDIR", "/tmp") + f"/lc-chromium-{os.getpid()}",
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=self._fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.r_child)
        os.close(self.w_child)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _fds(self):
        """In the child: its DevTools pipe ends as fds 3 (commands) and 4 (replies)."""
        r, w = os.dup(self.r_child), os.dup(self.w_child)  # above 4, so dup2 cannot clobber
        os.dup2(r, 3)
        os.dup2(w, 4)

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.w_parent, json.dumps(msg).encode() + b"\0")
        want = self.next_id
        deadline = time.time() + 60
        while time.time() < deadline:
            m = self.read()
            if m.get("id") == want:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        raise RuntimeError(f"{method}: no answer from Chromium")

    def read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r_parent, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method, timeout=60):
        deadline = time.time() + timeout
        for i, m in enumerate(self.events):  # each event is waited for once
            if m.get("method") == method:
                return self.events.pop(i)
        while time.time() < deadline:
            m = self.read()
            if m.get("method") == method:
                return m
            self.events.append(m)
        raise RuntimeError(f"timed out waiting for {method}")

    def eval(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluating {expr[:60]}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except RuntimeError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


SORT_CHECK = r"""
(function(){
  var t=document.querySelector('table.sortable'); if(!t) return 'none';
  var hs=Array.prototype.slice.call(t.tHead.rows[0].cells), i=-1;
  hs.forEach(function(h,j){ if(h.textContent.trim()==='F1') i=j; });
  if(i<0) return 'no F1 column';
  function col(){ return Array.prototype.map.call(t.tBodies[0].rows, function(r){
      return parseFloat(r.cells[i].getAttribute('title')||r.cells[i].textContent); }); }
  hs[i].click(); var up=col();
  hs[i].click(); var down=col();
  for(var k=1;k<up.length;k++){ if(up[k-1]>up[k]) return 'ascending sort wrong: '+up; }
  for(var k=1;k<down.length;k++){ if(down[k-1]<down[k]) return 'descending sort wrong: '+down; }
  return 'ok';
})()
"""

IMAGES_CHECK = r"""
Promise.all(Array.prototype.map.call(document.images, function(im){
  return (im.decode ? im.decode() : Promise.resolve()).then(function(){
    return im.naturalWidth>0 ? '' : (im.alt||im.src.slice(0,40)); },
    function(){ return 'undecodable: '+(im.alt||im.src.slice(0,40)); });
})).then(function(r){ return {n: r.length, bad: r.filter(function(x){return x;})}; })
"""


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    chromium, report, shot = sys.argv[1:]
    url = "file://" + os.path.abspath(report)
    fails = []
    b = Browser(chromium)
    try:
        tgt = b.send("Target.createTarget", {"url": "about:blank"}, session=False)
        b.session = b.send("Target.attachToTarget", {"targetId": tgt["targetId"], "flatten": True},
                           session=False)["sessionId"]
        for dom in ("Page", "Runtime", "Log", "Network"):
            b.send(dom + ".enable")
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 1000, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        b.send("Page.navigate", {"url": url})
        b.wait_event("Page.loadEventFired")
        img = b.eval(IMAGES_CHECK)
        if img["bad"]:
            fails.append(f"images that do not render: {img['bad']}")
        s = b.eval(SORT_CHECK)
        if s not in ("ok", "none"):  # none: no category output, so no per-class table
            fails.append(f"per-class table: {s}")
        # the sort clicks reordered rows; reload for a pristine screenshot
        b.send("Page.reload")
        b.wait_event("Page.loadEventFired")
        h = int(b.eval("Math.ceil(document.documentElement.scrollHeight)"))
        png = b.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1000, "height": h, "scale": 1}})["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        # phone width: the page must not scroll sideways
        b.send("Emulation.setDeviceMetricsOverride",
               {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        time.sleep(0.5)
        sw = b.eval("document.documentElement.scrollWidth")
        if sw > 392:
            fails.append(f"at 390 px the page is {sw} px wide (scrolls sideways)")
        b.eval("0")  # flush pending events
        for ev in b.events:
            meth, p = ev.get("method"), ev.get("params", {})
            if meth == "Runtime.exceptionThrown":
                fails.append("exception: " + p["exceptionDetails"].get("text", "") + " " +
                             str(p["exceptionDetails"].get("exception", {}).get("description", "")))
            elif meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                fails.append(f"console {p['type']}: " +
                             " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
            elif meth == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                fails.append(f"log {p['entry']['level']}: {p['entry']['text']} {p['entry'].get('url', '')}")
            elif meth == "Network.requestWillBeSent":
                u = p["request"]["url"]
                if not (u.startswith("file:") or u.startswith("data:")):
                    fails.append(f"external request: {u}")
    finally:
        b.close()
    for f in fails:
        print(f"browser_check: {f}", file=sys.stderr)
    if fails:
        sys.exit(1)
    sorts = "per-class table sorts" if s == "ok" else "no per-class table"
    print(f"browser_check: ok ({img['n']} images render, {sorts}, no console "
          f"errors, no external requests, fits 390 px; screenshot {shot}: 1000x{h})")


if __name__ == "__main__":
    main()
