// Variables, snippets and hashtag groups in the composer, with the server's rules.
import { describe, expect, it } from 'vitest';
import { addHashtags, expandSnippets, fillVariables, hashtagsIn, insertAt, snippetAtCaret, variablesIn } from '../src/composer/library';

describe('variables', () => {
  it('are found once each, in order, as the server writes them', () => {
    expect(variablesIn('Le {{event_date}} à {{ place }}, {{event_date}} {{1bad}} {{snippet:sig}}')).toEqual(['event_date', 'place']);
    expect(variablesIn('{{' + 'a'.repeat(40) + '}} {{' + 'a'.repeat(41) + '}}')).toEqual(['a'.repeat(40)]);
  });
  it('are filled in, and those without a value stay and are listed', () => {
    expect(fillVariables('Le {{event_date}} : {{link}} ({{ event_date }})', { event_date: '12 mars', link: '' })).toEqual({
      text: 'Le 12 mars : {{link}} (12 mars)',
      missing: ['link'],
    });
  });
  it('are filled with values that look like variables without filling those again', () => {
    expect(fillVariables('{{a}} {{b}}', { a: '{{b}}', b: 'B' }).text).toBe('{{b}} B');
  });
});

describe('snippets', () => {
  const snippets = [
    { code: 'sig', text: '— L’équipe Herald' },
    { code: 'promo-1', text: 'Code PROMO1' },
  ];
  it('expand {{snippet:code}} and report unknown codes', () => {
    expect(expandSnippets('Merci {{snippet:sig}} {{snippet:nope}}', snippets)).toEqual({ text: 'Merci — L’équipe Herald {{snippet:nope}}', unknown: ['nope'] });
  });
  it('are found as /code typed before the caret', () => {
    const text = 'Merci /sig';
    expect(snippetAtCaret(text, text.length, snippets)).toEqual({ start: 6, end: 10, snippet: snippets[0] });
    expect(snippetAtCaret('/promo-1', 8, snippets)?.snippet.code).toBe('promo-1');
    expect(snippetAtCaret('a/sig', 5, snippets)).toBeNull(); // part of a word or a path
    expect(snippetAtCaret('Merci /si', 9, snippets)).toBeNull(); // not a code yet
    expect(snippetAtCaret('Merci /sig plus', 10, snippets)).not.toBeNull(); // caret right after the code
  });
  it('go in place of the selection', () => {
    expect(insertAt('Merci /sig!', 6, 10, 'X')).toEqual({ text: 'Merci X!', caret: 7 });
    expect(insertAt('ab', 5, 9, 'X')).toEqual({ text: 'abX', caret: 3 });
  });
});

describe('hashtag groups', () => {
  it('add the tags the text lacks, after the existing block', () => {
    expect(addHashtags('Bonjour\n\n#café', ['#Café', '#Herald', 'Paris'])).toBe('Bonjour\n\n#café #Herald #Paris');
  });
  it('start a block of their own after prose', () => {
    expect(addHashtags('Bonjour à tous.  ', ['#Herald'])).toBe('Bonjour à tous.\n\n#Herald');
    expect(addHashtags('', ['#a', '#b'])).toBe('#a #b');
  });
  it('leave the text alone when it has them all', () => {
    expect(addHashtags('x #A #b', ['#a', 'B'])).toBe('x #A #b');
  });
  it('are read from text, not from URLs or entities', () => {
    expect(hashtagsIn('#un deux#trois https://x.fr/#frag &#39; (#quatre)')).toEqual(['#un', '#quatre']);
  });
});
