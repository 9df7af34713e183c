// The sampler's 扫码 button: the back camera over the page; the first code read goes into the
// scan box and is submitted, as a hardware scanner's Enter would. The browser's own
// BarcodeDetector where it has one, else the ZXing polyfill and its .wasm from our own server
// (scripts/setup.sh copies them to assets/vendor/): no CDN, sites often have no internet.
(function () {
  const VENDOR = "/vendor/barcode-detector/";
  let stream = null;
  let overlay = null;
  let timer = null;

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  async function detector() {
    if ("BarcodeDetector" in window) return new window.BarcodeDetector();
    if (!window.BarcodeDetectionAPI) await loadScript(VENDOR + "ponyfill.js");
    const api = window.BarcodeDetectionAPI;
    api.prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) => (path.endsWith(".wasm") ? VENDOR + path : prefix + path),
      },
    });
    return new api.BarcodeDetector();
  }

  function close() {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    if (overlay) overlay.remove();
    overlay = null;
  }

  function submit(inputId, value) {
    const input = document.getElementById(inputId);
    if (!input) return;
    input.value = value;
    input.form.requestSubmit();
  }

  async function open(inputId, buttonId) {
    const labels = document.getElementById(buttonId).dataset;
    close();
    overlay = document.createElement("div");
    overlay.className = "camera-overlay";
    const video = Object.assign(document.createElement("video"), { muted: true, playsInline: true });
    const stop = Object.assign(document.createElement("button"), { type: "button", textContent: labels.close });
    stop.onclick = close;
    overlay.append(video, stop);
    document.body.appendChild(overlay);
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      await video.play();
      const reader = await detector();
      const look = async () => {
        if (!stream) return;
        const found = await reader.detect(video).catch(() => []);
        if (found.length && found[0].rawValue) {
          close();
          submit(inputId, found[0].rawValue);
          return;
        }
        timer = setTimeout(look, 200);
      };
      look();
    } catch (error) {
      close();
      window.alert(labels.denied);
    }
  }

  window.cepCamera = { open, close };
})();
