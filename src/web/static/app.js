// anzen web UI: a little plain JavaScript, loaded from the server itself
// (the Content-Security-Policy forbids inline and outside scripts). The
// pages work without it.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  // The target date only matters for いいえ: show it only then.
  document.querySelectorAll('form.answer').forEach(function (f) {
    var target = f.querySelector('label.target');
    if (!target) return;
    function update() {
      var no = f.querySelector('input[name="answer"][value="no"]');
      target.hidden = !(no && no.checked);
    }
    f.querySelectorAll('input[name="answer"]').forEach(function (r) {
      r.addEventListener('change', update);
    });
    update();
  });
  // Ask before turning off two-factor authentication.
  document.querySelectorAll('button[value="disable"]').forEach(function (b) {
    b.addEventListener('click', function (e) {
      if (!window.confirm(document.documentElement.lang === 'en'
          ? 'Turn off two-factor authentication?' : '二要素認証をやめますか?')) e.preventDefault();
    });
  });
});
