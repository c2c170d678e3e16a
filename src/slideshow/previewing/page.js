"use strict";
(function () {
  const data = JSON.parse(document.getElementById("data").textContent);
  const audio = document.getElementById("soundtrack");
  const picture = document.getElementById("picture");
  const caption = document.getElementById("caption");
  const subtitle = document.getElementById("subtitle");
  const now = document.getElementById("now");
  const rows = Array.from(document.querySelectorAll("li.shot"));
  const shots = data.shots;
  const peaks = Uint8Array.from(atob(data.peaks), (c) => c.charCodeAt(0));
  let current = -1;
  let cue = null;

  // The shot on screen at a time: the last whose first frame has begun (frames, as planned).
  function shotAt(t) {
    const frame = Math.floor(t * data.fps + 1e-6);
    let lo = 0, hi = shots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (Math.round(shots[mid].start * data.fps) <= frame) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function cueAt(t) {
    for (const c of data.cues) if (c.start <= t && t < c.end) return c;
    return null;
  }

  function clock(t) {
    const tenths = Math.floor(t * 10 + 1e-6);
    const s = Math.floor(tenths / 10), m = Math.floor(s / 60), h = Math.floor(m / 60);
    const ss = String(s % 60).padStart(2, "0") + "." + (tenths % 10);
    return h ? h + ":" + String(m % 60).padStart(2, "0") + ":" + ss : m + ":" + ss;
  }

  function show(t) {
    const index = shotAt(t);
    if (index !== current) {
      if (current >= 0) rows[current].removeAttribute("aria-current");
      current = index;
      const row = rows[index];
      row.setAttribute("aria-current", "true");
      picture.src = shots[index].picture;
      picture.alt = row.querySelector(".thumb").alt;
      caption.textContent = shots[index].caption;
      const box = row.getBoundingClientRect();
      if (!audio.paused && (box.top < 0 || box.bottom > innerHeight)) {
        row.scrollIntoView({ block: "nearest" });
      }
    }
    const c = cueAt(t);
    if (c !== cue) { cue = c; subtitle.textContent = c ? c.text : ""; }
    now.textContent = clock(t) + " of " + clock(data.duration) + " · shot " + (index + 1) +
      " of " + shots.length;
    drawPlayheads(t);
  }

  // A shot's start, a little inside it: the player may report a time a hair earlier.
  function startOf(index) { return shots[index].start + 0.002; }

  function seek(t) {
    t = Math.max(0, Math.min(t, data.duration - 0.001));
    audio.currentTime = t;
    show(t);
  }

  function tick() {
    show(audio.currentTime);
    if (!audio.paused) requestAnimationFrame(tick);
  }
  audio.addEventListener("play", () => requestAnimationFrame(tick));
  audio.addEventListener("seeked", () => show(audio.currentTime));
  audio.addEventListener("timeupdate", () => { if (audio.paused) show(audio.currentTime); });

  for (const row of rows) {
    row.addEventListener("click", (event) => {
      const line = event.target.closest("ol.lines li");
      seek(line ? parseFloat(line.dataset.start) : startOf(+row.dataset.index));
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.target.closest && event.target.closest("input, textarea, select, audio")) return;
    if (event.key === " " || event.key === "k") {
      event.preventDefault();
      if (audio.paused) audio.play(); else audio.pause();
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      const forward = event.key === "ArrowRight";
      if (event.shiftKey) { seek(audio.currentTime + (forward ? 5 : -5)); return; }
      const index = Math.max(0, Math.min(shots.length - 1, shotAt(audio.currentTime) + (forward ? 1 : -1)));
      seek(startOf(index));
      rows[index].focus({ preventScroll: true });
      rows[index].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter" && event.target.classList.contains("shot")) {
      seek(startOf(+event.target.dataset.index));
    }
  });

  // #t=SECONDS, #t=M:SS or #t=H:MM:SS (decimals allowed): open at that moment.
  function fromHash() {
    const found = /(?:^#|&)t=([0-9:.]+)/.exec(location.hash);
    if (!found) return null;
    const parts = found[1].split(":").map(Number);
    if (parts.some((p) => !isFinite(p))) return null;
    return parts.reduce((total, p) => total * 60 + p, 0);
  }
  function openAtHash() {
    const t = fromHash();
    if (t !== null) {
      seek(t);
      rows[current].scrollIntoView({ block: "center" });
    }
  }
  addEventListener("hashchange", openAtHash);

  // Waveforms: each recording's stretch, the photo changes marked, the playhead drawn.
  const waves = Array.from(document.querySelectorAll("figure.waveform")).map((figure) => ({
    canvas: figure.querySelector("canvas"),
    from: parseFloat(figure.dataset.from),
    to: parseFloat(figure.dataset.to),
    marks: JSON.parse(figure.dataset.marks),
    head: null,
  }));
  function drawWave(wave) {
    const canvas = wave.canvas, ratio = devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.round(64 * ratio);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const g = canvas.getContext("2d");
    g.clearRect(0, 0, width, height);
    const span = wave.to - wave.from, rate = data.peaksPerSecond;
    g.fillStyle = "#4a6fa5";
    for (let x = 0; x < width; x++) {
      const a = Math.floor((wave.from + span * x / width) * rate);
      const b = Math.max(a + 1, Math.floor((wave.from + span * (x + 1) / width) * rate));
      let peak = 0;
      for (let i = a; i < b && i < peaks.length; i++) peak = Math.max(peak, peaks[i]);
      const h = (peak / 255) * (height - 4);
      g.fillRect(x, (height - h) / 2, 1, Math.max(1, h));
    }
    g.fillStyle = "#b00020";
    g.font = Math.round(11 * ratio) + "px system-ui, sans-serif";
    for (const [at, number] of wave.marks) {
      const x = Math.round(((at - wave.from) / span) * width);
      g.fillRect(Math.min(x, width - 2), 0, 2 * ratio, height);
      g.fillText(String(number), Math.min(x + 3 * ratio, width - 14 * ratio), 12 * ratio);
    }
    if (wave.head !== null && wave.head >= wave.from && wave.head <= wave.to) {
      g.fillStyle = "#000";
      g.fillRect(Math.round(((wave.head - wave.from) / span) * width), 0, ratio, height);
    }
  }
  function drawPlayheads(t) {
    for (const wave of waves) {
      const inside = t >= wave.from && t <= wave.to;
      const head = inside ? t : null;
      if (head !== wave.head) { wave.head = head; drawWave(wave); }
    }
  }
  for (const wave of waves) {
    wave.canvas.addEventListener("click", (event) => {
      const box = wave.canvas.getBoundingClientRect();
      seek(wave.from + ((event.clientX - box.left) / box.width) * (wave.to - wave.from));
    });
  }
  addEventListener("resize", () => waves.forEach(drawWave));
  waves.forEach(drawWave);

  // Reload when the preview is written again (preview --watch): version.js beside the page
  // says which version is current; a page opened from disk cannot ask any other way.
  function checkVersion() {
    const script = document.createElement("script");
    script.src = data.versionScript + "?" + Date.now();
    script.onload = script.onerror = () => script.remove();
    document.head.appendChild(script);
  }
  window.slideshowPreviewVersion = function (version) {
    if (version && version !== data.version) {
      const t = audio.currentTime;
      history.replaceState(null, "", "#t=" + t.toFixed(2));
      location.reload();
    }
  };
  setInterval(checkVersion, 1000);

  show(0);
  openAtHash();
})();
