// The records table: search, filters, sort and paging over rows embedded as JSON.
// Only one page of rows is ever in the DOM, so 100,000 prospects stay quick.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var rows = D.rows, outcomes = D.outcomes, traces = D.traces, pageSize = D.pageSize;
  var NUMERIC = {7: true, 8: true, 9: true};
  var hay = new Array(rows.length);
  for (var i = 0; i < rows.length; i++) {
    var r = rows[i];
    hay[i] = [r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[10]].join('\u0001').toLowerCase();
  }
  var $ = function (id) { return document.getElementById(id); };
  var search = $('search'), fAction = $('f-action'), fDetail = $('f-detail'), fRule = $('f-rule');
  var tbody = document.querySelector('#records tbody');
  var headers = Array.prototype.slice.call(document.querySelectorAll('#records th'));
  var state = {col: 0, dir: 1, page: 0, view: []};

  function fillSelect(select, column) {
    var seen = {};
    rows.forEach(function (r) { if (r[column]) seen[r[column]] = true; });
    Object.keys(seen).sort().forEach(function (v) {
      var o = document.createElement('option'); o.textContent = v; select.appendChild(o);
    });
  }
  fillSelect(fDetail, 2); fillSelect(fRule, 3);

  function compare(a, b) {
    var x = rows[a][state.col], y = rows[b][state.col];
    var c = NUMERIC[state.col] ? x - y : (x < y ? -1 : x > y ? 1 : 0);
    if (c === 0) c = rows[a][0] < rows[b][0] ? -1 : rows[a][0] > rows[b][0] ? 1 : 0;
    return c * state.dir;
  }

  function apply() {
    var q = search.value.trim().toLowerCase();
    var act = fAction.value, det = fDetail.value, rule = fRule.value;
    var view = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (act && r[1] !== act) continue;
      if (det && r[2] !== det) continue;
      if (rule && r[3] !== rule) continue;
      if (q && hay[i].indexOf(q) < 0) continue;
      view.push(i);
    }
    if (!(state.col === 0 && state.dir === 1)) view.sort(compare);
    state.view = view; state.page = 0;
    draw();
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function draw() {
    var view = state.view, pages = Math.max(1, Math.ceil(view.length / pageSize));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * pageSize, end = Math.min(view.length, start + pageSize);
    var frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) {
      var i = view[k], r = rows[i];
      var tr = document.createElement('tr');
      tr.tabIndex = 0; tr.dataset.i = i;
      cell(tr, r[0]);
      var td = cell(tr, '');
      var b = document.createElement('span'); b.className = 'badge ' + r[1]; b.textContent = r[1];
      td.appendChild(b);
      cell(tr, r[2]); cell(tr, r[3]); cell(tr, r[4]); cell(tr, r[5]); cell(tr, r[6]);
      cell(tr, String(r[7]), 'num'); cell(tr, String(r[8]), 'num'); cell(tr, String(r[9]), 'num');
      cell(tr, r[10]);
      frag.appendChild(tr);
    }
    tbody.textContent = '';
    tbody.appendChild(frag);
    $('status').textContent = view.length === rows.length
      ? 'Showing ' + (view.length ? start + 1 : 0) + '–' + end + ' of ' + rows.length + ' prospects'
      : 'Showing ' + (view.length ? start + 1 : 0) + '–' + end + ' of ' + view.length +
        ' matching prospects (of ' + rows.length + ')';
    $('page').textContent = 'page ' + (state.page + 1) + ' of ' + pages;
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page >= pages - 1;
  }

  function sortBy(col) {
    state.dir = state.col === col ? -state.dir : 1;
    state.col = col;
    headers.forEach(function (th, j) {
      if (j === col) th.setAttribute('aria-sort', state.dir === 1 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    apply();
  }

  function openPanel(i, row) {
    var r = rows[i], id = r[0], body = $('panel-body');
    Array.prototype.forEach.call(tbody.querySelectorAll('tr.selected'), function (t) {
      t.classList.remove('selected');
    });
    if (row) row.classList.add('selected');
    $('panel-title').textContent = 'Prospect ' + id + ': ' + r[1] + (r[2] ? ' (' + r[2] + ')' : '');
    body.textContent = '';
    var steps = traces[id];
    var h = document.createElement('h4');
    h.textContent = steps ? 'Explain trace' : 'Explain trace not in this file';
    body.appendChild(h);
    if (steps) {
      var ol = document.createElement('ol');
      steps.forEach(function (s) {
        var li = document.createElement('li');
        var strong = document.createElement('strong'); strong.textContent = s[0] + ': ';
        li.appendChild(strong); li.appendChild(document.createTextNode(s[1]));
        if (s[2].length) {
          var d = document.createElement('div'); d.className = 'details';
          d.textContent = s[2].join('\n'); li.appendChild(d);
        }
        ol.appendChild(li);
      });
      body.appendChild(ol);
    } else {
      var p = document.createElement('p');
      p.textContent = 'Run: ' + D.explain.replace('{id}', id);
      body.appendChild(p);
    }
    var h2 = document.createElement('h4'); h2.textContent = 'Result'; body.appendChild(h2);
    if (outcomes[id]) {
      var pre = document.createElement('pre');
      pre.textContent = JSON.stringify(outcomes[id], null, 2);
      body.appendChild(pre);
    } else {
      var note = document.createElement('p');
      note.textContent = 'This large report keeps full results only for the traced ' +
        'prospects; the table row above has its action, target and counts, and explain ' +
        'or dry-run --format json gives the rest.';
      body.appendChild(note);
    }
    var panel = $('panel');
    panel.hidden = false;
    panel.dataset.row = i;
    $('panel-close').focus();
  }

  function closePanel() {
    var panel = $('panel');
    if (panel.hidden) return;
    panel.hidden = true;
    var back = tbody.querySelector('tr[data-i="' + panel.dataset.row + '"]');
    if (back) back.focus();
  }

  tbody.addEventListener('click', function (e) {
    var tr = e.target.closest('tr');
    if (tr) openPanel(+tr.dataset.i, tr);
  });
  tbody.addEventListener('keydown', function (e) {
    var tr = e.target.closest('tr');
    if (!tr) return;
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openPanel(+tr.dataset.i, tr); }
    else if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
    else if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
    else if (e.key === 'PageDown' && !$('next').disabled) { e.preventDefault(); state.page++; draw(); tbody.firstChild && tbody.firstChild.focus(); }
    else if (e.key === 'PageUp' && !$('prev').disabled) { e.preventDefault(); state.page--; draw(); tbody.firstChild && tbody.firstChild.focus(); }
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closePanel(); });
  $('panel-close').addEventListener('click', closePanel);
  headers.forEach(function (th, j) {
    th.querySelector('button').addEventListener('click', function () { sortBy(j); });
  });
  var timer = null;
  search.addEventListener('input', function () {
    clearTimeout(timer); timer = setTimeout(apply, rows.length > 20000 ? 150 : 0);
  });
  [fAction, fDetail, fRule].forEach(function (s) { s.addEventListener('change', apply); });
  $('clear').addEventListener('click', function () {
    search.value = ''; fAction.value = ''; fDetail.value = ''; fRule.value = ''; apply();
  });
  $('prev').addEventListener('click', function () { state.page--; draw(); });
  $('next').addEventListener('click', function () { state.page++; draw(); });
  Array.prototype.forEach.call(document.querySelectorAll('.errors button[data-rule]'), function (b) {
    b.addEventListener('click', function () {
      search.value = ''; fAction.value = 'error';
      fDetail.value = b.dataset.code; fRule.value = b.dataset.rule;
      apply();
      document.getElementById('records').scrollIntoView();
    });
  });
  apply();
  document.body.dataset.ready = 'true';
})();
