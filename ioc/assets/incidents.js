/* Tân An IOC: the wall's incident banner in the browser.
 * - toggleSound / soundClass: the alarm sound is off by default and kept per browser
 *   (the Dash store lives in localStorage);
 * - beepOnNew: a short two-tone alarm when an incident is pinned that this page had not
 *   pinned before, only while the sound is on (the first list after loading is taken as
 *   seen: no sound on every page load);
 * - Alt+A acknowledges the first pinned incident (the buttons are focusable too).
 * Served from /assets (no inline script: the Content-Security-Policy allows 'self'). */
(function () {
  "use strict";
  var audio = null;
  var seen = null;

  function context() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    if (audio === null) { audio = new Ctx(); }
    if (audio.state === "suspended") { audio.resume(); }
    return audio;
  }

  function alarm() {
    var ctx = context();
    if (ctx === null) { return; }
    [880, 660, 880].forEach(function (freq, i) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      var at = ctx.currentTime + i * 0.25;
      osc.type = "square";
      osc.frequency.setValueAtTime(freq, at);
      gain.gain.setValueAtTime(0.08, at);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.23);
    });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    ioc: {
      toggleSound: function (clicks, on) {
        if (!clicks) { return Boolean(on); }
        var next = !on;
        if (next) { context(); }  // created inside the click: browsers allow sound from then on
        return next;
      },
      soundClass: function (on) {
        return "btn sound-toggle " + (on ? "sound-on" : "sound-off");
      },
      beepOnNew: function (ids, on) {
        var now = ids || [];
        var fresh = seen === null ? [] : now.filter(function (id) { return seen.indexOf(id) < 0; });
        seen = now.slice();
        if (on && fresh.length) { alarm(); }
        return fresh.length;
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "a" || event.key === "A")) {
      var first = document.querySelector("#wall-banner .btn-ack");
      if (first) {
        event.preventDefault();
        first.focus();
        first.click();
      }
    }
  });
})();
