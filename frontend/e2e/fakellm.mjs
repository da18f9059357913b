// A fake OpenAI-compatible chat completions server for the browser tests, on a free port. It
// checks each request against the API's shape (POST /v1/chat/completions, JSON with a model and
// messages whose roles are system, user or assistant, the Bearer key when one is expected) and
// answers like the API: a chat.completion object, or an error object with the API's status.
import { createServer } from 'node:http';

export async function startFakeLLM({ key = '', model = 'fake-voice-1', reply }) {
  const requests = [];
  const fail = (res, status, message, type = 'invalid_request_error') => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions') return fail(res, 404, `Unknown request URL: ${req.method} ${req.url}.`);
      if (req.method !== 'POST') return fail(res, 405, 'Method not allowed.');
      if (key && req.headers.authorization !== 'Bearer ' + key) return fail(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
      if (!String(req.headers['content-type'] || '').startsWith('application/json')) return fail(res, 400, 'Content-Type must be application/json.');
      let r;
      try {
        r = JSON.parse(body);
      } catch {
        return fail(res, 400, 'We could not parse the JSON body of your request.');
      }
      if (typeof r.model !== 'string' || !r.model) return fail(res, 400, 'you must provide a model parameter');
      if (r.model !== model) return fail(res, 404, `The model \`${r.model}\` does not exist or you do not have access to it.`, 'model_not_found');
      if (!Array.isArray(r.messages) || !r.messages.length || r.messages.some((m) => !['system', 'user', 'assistant'].includes(m.role) || typeof m.content !== 'string'))
        return fail(res, 400, "Invalid 'messages': each needs a role (system, user or assistant) and a string content.");
      const system = r.messages.find((m) => m.role === 'system')?.content ?? '';
      const user = r.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
      requests.push({ model: r.model, system, user, temperature: r.temperature });
      const content = reply(system, user);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-' + requests.length,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: Math.ceil((system.length + user.length) / 4), completion_tokens: Math.ceil(content.length / 4), total_tokens: 0 },
        }),
      );
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/v1`, model, requests, close: () => new Promise((r) => server.close(r)) };
}
