// The review page's behaviour: actions without a full reload, and editing with a live counter measured by the server
// (the same code heraut applies when it saves). Everything inserted comes from the server's escaped HTML or is set as text.
const status = document.getElementById('status');

function fragment(html) {
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content.firstElementChild;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  let answer;
  try {
    answer = await response.json();
  } catch {
    answer = { refusal: `the server answered ${response.status}` };
  }
  return { ok: response.ok, answer };
}

function showRefusal(target, message) {
  const refusal = target.querySelector(':scope > .refusal');
  refusal.textContent = message;
  refusal.hidden = false;
}

function update(job, answer, message) {
  const fresh = fragment(answer.job);
  job.replaceWith(fresh);
  const health = document.getElementById('health');
  if (health && answer.health) health.replaceWith(fragment(answer.health));
  fresh.querySelector('h3').focus();
  status.textContent = message;
}

async function act(target, action, body) {
  const job = target.closest('[data-job-id]');
  const id = job.dataset.jobId;
  const { ok, answer } = await post(`/api/jobs/${encodeURIComponent(id)}/${action}`, { account: target.dataset.account, ...body });
  if (!ok) {
    showRefusal(target, answer.refusal ?? 'refused');
    return false;
  }
  update(job, answer, `${target.dataset.account}: ${action === 'edit' ? 'saved' : `${action} done`} (${id})`);
  return true;
}

let measuring;
function measureLater(target, textarea) {
  clearTimeout(measuring?.timer);
  measuring?.controller.abort();
  const controller = new AbortController();
  const timer = setTimeout(async () => {
    try {
      const response = await fetch('/api/measure', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ jobId: target.closest('[data-job-id]').dataset.jobId, account: target.dataset.account, text: textarea.value }),
        signal: controller.signal,
      });
      if (!response.ok) return;
      const measure = await response.json();
      target.querySelector('[data-counter]').textContent = `${measure.used} / ${measure.limit}`;
      target.querySelector('.counter').classList.toggle('over', measure.used > measure.limit);
      target.querySelector('.hint').textContent = measure.refusal ? `Cannot be saved: ${measure.refusal}` : '';
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    }
  }, 120);
  measuring = { timer, controller };
}

function startEdit(target) {
  if (target.querySelector('textarea')) return;
  const id = `edit-${target.closest('[data-job-id]').dataset.jobId}-${target.dataset.account}`;
  const form = document.createElement('form');
  form.className = 'edit-form';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = `New text for ${target.dataset.account}`;
  const textarea = document.createElement('textarea');
  textarea.id = id;
  textarea.name = 'text';
  textarea.rows = 7;
  textarea.value = target.querySelector('.post-text').textContent;
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.setAttribute('aria-live', 'polite');
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.textContent = 'Cancel';
  cancel.dataset.cancel = '';
  const buttons = document.createElement('div');
  buttons.className = 'actions';
  buttons.append(save, cancel);
  form.append(label, textarea, hint, buttons);
  target.querySelector('.counter').after(form);
  target.querySelector(':scope > .actions').hidden = true;
  textarea.addEventListener('input', () => measureLater(target, textarea));
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') stopEdit(target);
  });
  textarea.focus();
}

function stopEdit(target) {
  target.querySelector('.edit-form')?.remove();
  target.querySelector(':scope > .refusal').hidden = true;
  target.querySelector(':scope > .actions').hidden = false;
  target.querySelector('[data-edit]')?.focus();
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  const target = button?.closest('[data-account].target');
  if (!target) return;
  if (button.matches('[data-edit]')) startEdit(target);
  else if (button.matches('[data-cancel]')) stopEdit(target);
});

document.addEventListener('submit', async (event) => {
  const form = event.target;
  const target = form.closest('[data-account].target');
  if (!target) return;
  event.preventDefault();
  const buttons = form.querySelectorAll('button');
  buttons.forEach((button) => (button.disabled = true));
  try {
    const done = form.classList.contains('edit-form') ? await act(target, 'edit', { text: form.elements.text.value }) : await act(target, form.dataset.action, {});
    if (!done) buttons.forEach((button) => (button.disabled = false));
  } catch (error) {
    showRefusal(target, `The request failed: ${error.message}`);
    buttons.forEach((button) => (button.disabled = false));
  }
});
