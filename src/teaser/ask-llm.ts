import { z } from 'zod';
import type { Llm } from '../config/schema.js';
import { parseDuration } from '../config/parse-duration.js';
import { HerautError, errorMessage } from '../errors.js';
import { registerSecret } from '../log.js';

/** What the model must answer: the hook and its decorations, nothing else. */
export const LlmTeaser = z.object({
  hook: z.string().trim().min(1),
  emojis: z.array(z.string()).max(10).default([]),
  hashtags: z.array(z.string()).max(10).default([]),
});
export type LlmTeaser = z.infer<typeof LlmTeaser>;

const ChatCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

function parseAnswer(content: string): LlmTeaser {
  const unfenced = content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/gu, '');
  const start = unfenced.indexOf('{');
  const end = unfenced.lastIndexOf('}');
  let json: unknown;
  try {
    json = JSON.parse(start >= 0 && end > start ? unfenced.slice(start, end + 1) : unfenced);
  } catch (error) {
    throw new HerautError('llm-failed', 'the model did not answer with JSON; use a model that follows JSON instructions', { cause: error });
  }
  const parsed = LlmTeaser.safeParse(json);
  if (!parsed.success) {
    throw new HerautError('llm-failed', `the model's JSON is not {hook, emojis, hashtags}: ${parsed.error.issues[0]?.message ?? 'invalid'}; use a model that follows JSON instructions`);
  }
  return parsed.data;
}

/** One chat-completions call to an OpenAI-compatible endpoint; answers the parsed {hook, emojis, hashtags}. */
export async function askLlm(llm: Llm, messages: ChatMessage[], fetchImpl: typeof fetch = fetch): Promise<LlmTeaser> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (llm.apiKeyEnv) {
    const key = process.env[llm.apiKeyEnv];
    if (!key) throw new HerautError('llm-failed', `environment variable ${llm.apiKeyEnv} is empty; set it to the API key of ${llm.baseUrl}`);
    registerSecret(key);
    headers.authorization = `Bearer ${key}`;
  }
  const url = `${llm.baseUrl.replace(/\/+$/u, '')}/chat/completions`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: llm.model, messages, temperature: 0.3, response_format: { type: 'json_object' } }),
      signal: AbortSignal.timeout(parseDuration(llm.timeout ?? '60s')),
    });
  } catch (error) {
    throw new HerautError('llm-failed', `cannot reach ${url}: ${errorMessage(error)}; check llm.baseUrl and llm.timeout`, { cause: error, retryable: true });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new HerautError('llm-failed', `${url} answered HTTP ${response.status}; check llm.model and the API key`, { retryable: response.status >= 500 || response.status === 429 });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new HerautError('llm-failed', `${url} did not answer JSON; check that llm.baseUrl is an OpenAI-compatible API (…/v1)`, { cause: error });
  }
  const completion = ChatCompletion.safeParse(body);
  if (!completion.success || !completion.data.choices[0].message.content) {
    throw new HerautError('llm-failed', `${url} answered no chat completion; check that llm.baseUrl is an OpenAI-compatible API (…/v1)`);
  }
  return parseAnswer(completion.data.choices[0].message.content);
}
