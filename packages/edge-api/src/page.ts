// The page `GET /` gives a browser: pick, drop or draw an image, see the class, the top-k bars, the Worker's
// timing and the model facts. Everything is inline (no CDN, no font, no image), so it works with no network
// besides the Worker, and the Content-Security-Policy below keeps it that way. Dynamic text goes in through
// textContent only, never innerHTML. No backticks or `${` below: this whole page is one template string.

/** Sent with the page: it may talk to its own origin only. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob:; connect-src 'self'; base-uri 'none'; form-action 'none'";

export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>nin-bench edge: Fashion-MNIST NiN</title>
<style>
body{font:15px system-ui,sans-serif;max-width:720px;margin:1.5em auto;padding:0 1em;color:#222}
h1{font-size:1.3em}.row{display:flex;gap:1.5em;flex-wrap:wrap}
#drop{border:2px dashed #999;border-radius:8px;padding:1em;width:224px;text-align:center}
#drop.over{border-color:#06c;background:#eef5ff}#file{max-width:100%}#preview{width:112px;height:112px;image-rendering:pixelated;background:#000}
canvas{width:224px;height:224px;image-rendering:pixelated;touch-action:none;cursor:crosshair;border-radius:4px}
#label{font-size:1.6em;font-weight:600;margin:.3em 0}.bar{display:flex;align-items:center;gap:.5em;margin:.2em 0}
.bar span:first-child{width:7em}.bar i{display:block;height:1em;background:#06c;border-radius:2px}
small,#facts{color:#555}#error{color:#b00}
</style></head><body>
<h1>Fashion-MNIST classifier on the edge</h1>
<p id="facts">Loading the model facts from <code>/model</code>...</p>
<div class="row">
<form id="drop"><p>Drop a PNG here, or</p><input id="file" type="file" accept="image/png" aria-label="PNG file"><p><img id="preview" alt="" hidden></p></form>
<div><canvas id="pad" width="28" height="28" aria-label="28x28 drawing pad"></canvas><br>
<button id="clear" type="button">Clear</button> <small>draw a garment in white: it is sent on release</small></div>
</div>
<section aria-live="polite"><p id="error" role="alert"></p><p id="label"></p><div id="bars"></div><p id="timing"></p></section>
<p><small>API: <code>curl -H 'content-type: image/png' --data-binary @shoe.png <span id="host"></span>/predict</code>; JSON at <code>/</code> for non-browsers, <code>/health</code>, <code>/model</code>.</small></p>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var pct = function (p) { return (100 * p).toFixed(1) + '%'; };
  $('host').textContent = location.origin;
  fetch('/model').then(function (r) { return r.json(); }).then(function (m) {
    if (m.error) throw new Error(m.error.message);
    $('facts').textContent = m.architecture.name + ', ' + m.inputSize + ' px input, ' + m.weightPrecision + ' weights, ' +
      (m.parameterCount / 1e6).toFixed(2) + ' M parameters, ' + Math.round(m.multiplyAdds / 1e6) + ' M multiply-adds per image, test accuracy ' +
      (m.testAccuracy == null ? 'unknown' : pct(m.testAccuracy)) + '.';
    return fetch('/health').then(function (r) { return r.json(); }).then(function (h) {
      $('facts').textContent += ' Engine: ' + h.backend + (h.simd ? ' (WebAssembly SIMD)' : '') + '.';
    });
  }).catch(function (e) { $('facts').textContent = 'Model facts unavailable: ' + e.message; });

  var latest = 0; // only the answer to the latest request is shown (strokes send faster than answers come)
  function classify(body, type, what) {
    var mine = ++latest;
    $('error').textContent = '';
    $('label').textContent = 'Classifying ' + what + '...';
    var t0 = performance.now();
    fetch('/predict?topk=5', { method: 'POST', headers: { 'content-type': type }, body: body })
      .then(function (r) { return r.json(); })
      .then(function (a) {
        if (mine !== latest) return;
        if (a.error) throw new Error(a.error.message);
        $('label').textContent = a.label + ' (' + pct(a.top[0].probability) + ', ' + what + ')';
        $('bars').replaceChildren.apply($('bars'), a.top.map(function (t) {
          var row = document.createElement('div'), name = document.createElement('span'), bar = document.createElement('i'), p = document.createElement('span');
          row.className = 'bar';
          name.textContent = t.label;
          bar.style.width = Math.max(1, 200 * t.probability) + 'px';
          p.textContent = pct(t.probability);
          row.append(name, bar, p);
          return row;
        }));
        $('timing').textContent = 'Worker: preprocess ' + a.timing.preprocessMs + ' ms, inference ' + a.timing.inferenceMs + ' ms on ' + a.backend +
          '; round trip ' + Math.round(performance.now() - t0) + ' ms.';
      })
      .catch(function (e) { if (mine !== latest) return; $('label').textContent = ''; $('bars').replaceChildren(); $('error').textContent = 'Could not classify ' + what + ': ' + e.message; });
  }

  function send(file) {
    if (!file) return;
    $('preview').src = URL.createObjectURL(file);
    $('preview').hidden = false;
    classify(file, 'image/png', file.name);
  }
  $('file').addEventListener('change', function () { send($('file').files[0]); });
  var drop = $('drop');
  drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.className = 'over'; });
  drop.addEventListener('dragleave', function () { drop.className = ''; });
  drop.addEventListener('drop', function (e) { e.preventDefault(); drop.className = ''; send(e.dataTransfer.files[0]); });

  // 28x28 like the data set: light strokes on black, sent as 784 raw gray bytes (the red channel).
  var pad = $('pad'), ctx = pad.getContext('2d', { willReadFrequently: true }), last = null;
  function clear() { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, 28, 28); }
  function at(e) { var r = pad.getBoundingClientRect(); return [28 * (e.clientX - r.left) / r.width, 28 * (e.clientY - r.top) / r.height]; }
  clear();
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 2.5; ctx.lineCap = ctx.lineJoin = 'round';
  pad.addEventListener('pointerdown', function (e) { pad.setPointerCapture(e.pointerId); last = at(e); });
  pad.addEventListener('pointermove', function (e) {
    if (!last) return;
    var p = at(e);
    ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
    last = p;
  });
  pad.addEventListener('pointerup', function () {
    if (!last) return;
    last = null;
    var rgba = ctx.getImageData(0, 0, 28, 28).data, gray = new Uint8Array(784);
    for (var i = 0; i < 784; i++) gray[i] = rgba[4 * i];
    classify(gray, 'application/octet-stream', 'the drawing');
  });
  $('clear').addEventListener('click', clear);
})();
</script>
</body></html>
`;
