// The page `GET /` gives a browser: take a photo (phones open the camera), pick or drop a picture (PNG, JPEG, WebP),
// or draw; see the class, the top-k bars, the 28x28 tile the model saw, the Worker's timing and the model facts.
// Everything is inline (no CDN, no font, no image), so it works with no network besides the Worker, and the
// Content-Security-Policy below keeps it that way. Dynamic text goes in through textContent only, never innerHTML.
// No backticks below and no `${` but the one for PAGE_MAX_SIDE: this whole page is one template string.

/** Sent with the page: it may talk to its own origin only. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob:; connect-src 'self'; base-uri 'none'; form-action 'none'";

/** The longest side the page sends: a larger picture (a phone's 12 MP photo) is scaled down in the browser first. */
export const PAGE_MAX_SIDE = 1024;

export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>nin-bench edge: Fashion-MNIST NiN</title>
<style>
body{font:15px system-ui,sans-serif;max-width:760px;margin:1.5em auto;padding:0 1em;color:#222}
h1{font-size:1.3em}.row{display:flex;gap:1.5em;flex-wrap:wrap}
#drop{border:2px dashed #999;border-radius:8px;padding:1em;width:240px;text-align:center}
#drop.over{border-color:#06c;background:#eef5ff}input[type=file]{max-width:100%}
#preview{max-width:200px;max-height:160px}canvas{image-rendering:pixelated;border-radius:4px}
#pad{width:224px;height:224px;touch-action:none;cursor:crosshair}#tile{width:112px;height:112px;background:#000}
#label{font-size:1.6em;font-weight:600;margin:.3em 0}.bar{display:flex;align-items:center;gap:.5em;margin:.2em 0}
.bar span:first-child{width:7em}.bar i{display:block;height:1em;background:#06c;border-radius:2px}
label.btn{display:inline-block;margin:.3em 0}small,#facts,#saw{color:#555}#error{color:#b00}#sawbox{margin:0;max-width:260px}
</style></head><body>
<h1>Fashion-MNIST classifier on the edge</h1>
<p id="facts">Loading the model facts from <code>/model</code>...</p>
<div class="row">
<form id="drop"><p>Drop a photo or picture here (PNG, JPEG, WebP), or</p>
<label class="btn">Take a photo <input id="camera" type="file" accept="image/*" capture="environment"></label>
<label class="btn">Choose a picture
<input id="file" type="file" accept="image/png,image/jpeg,image/webp,image/*"></label>
<p><label>Framing <select id="fit"><option value="auto">auto</option><option value="photo">product photo</option>
<option value="tile">data-set tile</option></select></label></p>
<p><img id="preview" alt="" hidden></p></form>
<div><canvas id="pad" width="28" height="28" aria-label="28x28 drawing pad"></canvas><br>
<button id="clear" type="button">Clear</button> <small>draw a garment in white: it is sent on release</small></div>
</div>
<section aria-live="polite"><p id="error" role="alert"></p><p id="label"></p>
<div class="row"><div id="bars"></div><figure hidden id="sawbox">
<canvas id="tile" width="28" height="28" aria-label="the 28x28 tile the model saw"></canvas>
<figcaption id="saw"></figcaption></figure></div>
<p id="timing"></p></section>
<p><small>API:
<code>curl -H 'content-type: image/jpeg' --data-binary @shoe.jpg '<span id="host"></span>/predict?explain=1'</code>
(PNG, JPEG, WebP; <code>?fit=auto|photo|tile</code>); JSON at <code>/</code> for non-browsers, <code>/health</code>,
<code>/model</code>.</small></p>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var pct = function (p) { return (100 * p).toFixed(1) + '%'; };
  var MAX_SIDE = ${PAGE_MAX_SIDE}, SENT_AS_IS = ['image/png', 'image/jpeg', 'image/webp'];
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

  function showTile(a) {
    var ctx = $('tile').getContext('2d'), img = ctx.createImageData(28, 28);
    for (var i = 0; i < 784; i++) { img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = a.tile[i]; img.data[4 * i + 3] = 255; }
    ctx.putImageData(img, 0, 0);
    $('saw').textContent = 'What the model saw: ' + (a.fit === 'photo' ? 'a product photo, converted' : 'a tile, resized') + ' (' + a.fitReason + ')';
    $('sawbox').hidden = false;
  }

  var latest = 0; // only the answer to the latest request is shown (strokes send faster than answers come)
  function classify(body, type, what) {
    var mine = ++latest;
    $('error').textContent = '';
    $('label').textContent = 'Classifying ' + what + '...';
    var t0 = performance.now();
    fetch('/predict?topk=5&explain=1&fit=' + $('fit').value, { method: 'POST', headers: { 'content-type': type }, body: body })
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
        showTile(a);
        $('timing').textContent = 'Worker: decode ' + a.timing.decodeMs + ' ms, preprocess ' + a.timing.preprocessMs +
          ' ms, inference ' + a.timing.inferenceMs + ' ms on ' + a.backend +
          '; round trip ' + Math.round(performance.now() - t0) + ' ms.';
      })
      .catch(function (e) {
        if (mine !== latest) return;
        $('label').textContent = '';
        $('bars').replaceChildren();
        $('error').textContent = 'Could not classify ' + what + ': ' + e.message;
      });
  }

  // A picture the Worker takes as it is goes as it is (the Worker applies a JPEG's EXIF orientation itself). A larger
  // one, or a format it does not decode (e.g. an iPhone's HEIC, where the browser can), is drawn upright and at most
  // MAX_SIDE px long on a canvas and sent as JPEG.
  function send(file) {
    if (!file) return;
    $('preview').src = URL.createObjectURL(file);
    $('preview').hidden = false;
    createImageBitmap(file).then(function (bitmap) {
      var w = bitmap.width, h = bitmap.height, scale = Math.min(1, MAX_SIDE / Math.max(w, h));
      if (scale === 1 && SENT_AS_IS.indexOf(file.type) >= 0) return classify(file, file.type, file.name);
      var canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(w * scale)); canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { classify(blob, 'image/jpeg', file.name); }, 'image/jpeg', 0.92);
    }, function () {
      classify(file, SENT_AS_IS.indexOf(file.type) >= 0 ? file.type : 'image/jpeg', file.name); // the Worker names what is wrong
    });
  }
  ['file', 'camera'].forEach(function (id) { $(id).addEventListener('change', function () { send($(id).files[0]); }); });
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
