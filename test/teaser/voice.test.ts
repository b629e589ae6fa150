import { describe, expect, it } from 'vitest';
import { llmHookProblem } from '../../src/teaser/check-llm-hook.js';
import { cleanTitle, composeHook, compressKeepingConsequence, compressSentence } from '../../src/teaser/compose-hook.js';
import { dominantApostrophe, unifyApostrophes } from '../../src/teaser/fold-text.js';
import { articleLanguage } from '../../src/teaser/detect-language.js';
import { isBoilerplate } from '../../src/teaser/extract-hook.js';
import { headingKind, sectionsOf } from '../../src/teaser/known-sections.js';
import { pickHashtags } from '../../src/teaser/pick-hashtags.js';
import { writeExtractiveTeasers } from '../../src/teaser/write-teasers.js';
import { makeArticle, makeFeed } from './make-article.js';

describe('known headings and boilerplate, fr/en/es', () => {
  it.each([
    ['Récapitulatif factuel', 'fact'],
    ['## Resumen factual :', 'fact'],
    ['Factual summary', 'fact'],
    ['Point de vue neutre', 'why'],
    ['Punto de vista neutral', 'why'],
    ['Why it matters', 'why'],
    ['Point de vue pessimiste', 'other'],
    ['Optimistic view', 'other'],
    ['Punto de vista optimista', 'other'],
    ['Article en référence', 'other'],
    ['Ejemplo', 'other'],
    ['Le point de vue de la CNIL sur les assistants vocaux est attendu depuis des mois', undefined],
  ])('%s -> %s', (line, kind) => expect(headingKind(line)).toBe(kind));

  it.each(['Récapitulatif factuel', 'Lire la suite…', 'Leer más', 'submitted by /u/someone [link] [comments]', 'Redirection en cours...', 'Punto de vista neutral'])(
    '%s is never a hook',
    (sentence) => expect(isBoilerplate(sentence)).toBe(true),
  );

  it('splits a plain-text body on heading lines, so "Point de vue neutre" gives the why and never leaks', () => {
    const content = 'Récapitulatif factuel\n\nLa pétition #MaVoixMonDroit dépasse 15 000 signatures.\n\nPoint de vue neutre\n\nC’est le premier test du droit des artistes face au clonage de voix.\n\nExemple\n\nUne comédienne.';
    const article = makeArticle({ title: '#MaVoixMonDroit : 15 000 comédiens exigent un consentement', content, language: 'fr' });
    expect(sectionsOf(article).map((s) => s.heading)).toEqual(['Récapitulatif factuel', 'Point de vue neutre', 'Exemple']);
    const hook = composeHook(article, {}).sentences.join(' ');
    expect(hook).toBe('#MaVoixMonDroit : 15 000 comédiens exigent un consentement. C’est le premier test du droit des artistes face au clonage de voix.');
  });
});

describe('the hook: key fact, then why it matters', () => {
  it.each([
    ['Kyutai publie Sonal | Explainers IA', 'Kyutai publie Sonal'],
    ['AI coding assistants ship 1.7 times more flaws - Maya Okafor', 'AI coding assistants ship 1.7 times more flaws'],
    ['🩺 Cancer du sein : une IA réduit de 20 % les cancers', 'Cancer du sein : une IA réduit de 20 % les cancers'],
    ['Rust 2.0 - the new edition', 'Rust 2.0 - the new edition'],
  ])('title %s -> %s', (raw, title) => expect(cleanTitle(raw).title).toBe(title));

  it('answers a question title with the sentence that carries the figure', () => {
    const article = makeArticle({
      title: 'L’IA peut-elle corriger les copies du bac ?',
      summary: 'Le ministère a testé un outil de correction sur 18 000 copies de bac blanc. Les résultats sont encourageants, mais pas assez pour l’examen réel.',
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences).toEqual([
      'Le ministère a testé un outil de correction sur 18 000 copies de bac blanc.',
      'Les résultats sont encourageants, mais pas assez pour l’examen réel.',
    ]);
  });

  it('compresses before anything is cut: parentheses and an apposition without figure or name go', () => {
    expect(compressSentence('La formation restreinte de la CNIL, chargée des sanctions, a infligé une amende (record) de 12 millions d’euros.')).toBe(
      'La formation restreinte de la CNIL a infligé une amende de 12 millions d’euros.',
    );
    expect(compressSentence('Pour EDF, le contrat sécurise des revenus sur quinze ans, au moment où l’entreprise doit financer six réacteurs.')).toBe(
      'Pour EDF, le contrat sécurise des revenus sur quinze ans.',
    );
  });

  it('drops what a name is when it carries no figure, down to its head noun, and the day of the week, to leave room for the why', () => {
    expect(
      compressSentence('Ontario’s Superior Court of Justice will let judges in 14 courthouses use Brief, an AI tool built by the province’s digital service, to summarise case files from March.'),
    ).toBe('Ontario’s Superior Court of Justice will let judges in 14 courthouses use Brief, an AI tool, to summarise case files from March.');
    // Who made it goes with the rest; a name said nothing of goes whole.
    expect(compressSentence('Judges may use Brief, a service that the province runs online, to summarise files.')).toBe('Judges may use Brief to summarise files.');
    // A list is no apposition: each item stays.
    const list = 'This week we turn our eyes towards Cinnabon: The Drink, the end of superbike confusion, the problems with Liars’ Day, and much more, all of it explained at length for the listeners!';
    expect(compressSentence(list)).toBe(list);
    const names = 'Their thoughts on Lost: Via Domus, an Ice Cube side-scroller, Guitar Hero: Beatles, Ed Boon, the flavor of Scottish girders, technofear, and more, at length, for hours and hours on end!';
    expect(compressSentence(names)).toBe(names);
    // A figure in words is the fact: "Sonal, un modèle vocal d’un milliard de paramètres" stays.
    const counted = 'Kyutai a publié Sonal, un modèle vocal d’un milliard de paramètres qui converse en temps réel, en français et en anglais.';
    expect(compressSentence(counted)).toBe(counted);
    const article = makeArticle({
      title: 'Denmark bans AI emotion recognition in job interviews',
      content: 'Factual summary\n\nDenmark’s parliament voted 94 to 12 on Thursday to ban software that claims to read candidates’ emotions in job interviews.',
      language: 'en',
    });
    expect(composeHook(article, {}).sentences[0]).toBe('Denmark’s parliament voted 94 to 12 to ban software that claims to read candidates’ emotions in job interviews.');
  });

  it('names the subject a subtitle leaves generic, as the article names it', () => {
    const article = (content: string) =>
      makeArticle({ title: 'L’IA peut-elle corriger les copies du bac ?', summary: 'Le ministère a testé un outil sur 18 000 copies de bac blanc.', content, language: 'fr' });
    const named = article('Récapitulatif factuel\n\nLe ministère de l’Éducation nationale a publié le bilan d’une expérimentation.');
    expect(composeHook(named, {}).sentences[0]).toBe('Le ministère de l’Éducation a testé un outil sur 18 000 copies de bac blanc.');
    const unnamed = article('Récapitulatif factuel\n\nLe ministère a publié le bilan d’une expérimentation.');
    expect(composeHook(unnamed, {}).sentences[0]).toBe('Le ministère a testé un outil sur 18 000 copies de bac blanc.');
  });

  it('drops a trailing participle without figure or name, never a clause that states a stake', () => {
    expect(compressSentence('Ce mouvement illustre la mobilité des chercheurs, courtisés à coups de rémunérations à sept chiffres.')).toBe('Ce mouvement illustre la mobilité des chercheurs.');
    expect(compressSentence('Les résultats sont encourageants, mais pas assez pour l’examen réel.')).toBe('Les résultats sont encourageants, mais pas assez pour l’examen réel.');
    expect(compressSentence('Le projet avance, financé par Bpifrance à hauteur de 20 %.')).toBe('Le projet avance, financé par Bpifrance à hauteur de 20 %.');
    expect(compressSentence('Falta saber si funciona igual en zonas rurales, donde la conexión es peor.')).toBe('Falta saber si funciona igual en zonas rurales.');
  });

  it('never adds a why that repeats the fact', () => {
    const article = makeArticle({
      title: 'EDF va fournir 1,2 GW d’électricité nucléaire pendant 15 ans',
      summary: 'EDF a signé un contrat portant sur 1,2 GW d’électricité nucléaire pendant 15 ans. Un seul client consommera 2 % de l’électricité du pays.',
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences).toEqual(['EDF va fournir 1,2 GW d’électricité nucléaire pendant 15 ans.', 'Un seul client consommera 2 % de l’électricité du pays.']);
  });
});

describe('hashtags', () => {
  const feed = makeFeed({ hashtags: ['IA'] });
  const pick = (fields: Partial<Parameters<typeof pickHashtags>[0]>) => pickHashtags({ text: '', categories: [], ...fields }, feed);

  it('puts the topic tag first in the article’s language', () => {
    expect(pick({ language: 'en', text: 'TSMC starts production' })[0]).toBe('AI');
    expect(pick({ language: 'es', text: 'La AESIA multa' })[0]).toBe('IA');
    expect(pickHashtags({ text: '', categories: [], language: 'en' }, makeFeed({ hashtags: { fr: ['IA'], en: ['MachineLearning'] } }))).toEqual(['MachineLearning']);
  });

  it('tags the subject’s entities and acronyms before categories, never an all-caps word that is no acronym', () => {
    const article = 'La CNIL inflige une amende. La CNIL a enquêté. Les États-Unis regardent.';
    expect(pick({ language: 'fr', text: 'La CNIL inflige 12 millions d’euros d’amende à Parlio', categories: ['ÉTATS-UNIS', 'Vie privée'], article })).toEqual(['IA', 'CNIL', 'ÉtatsUnis']);
    expect(pick({ language: 'es', text: 'Tutorín levanta 25 millones', categories: ['MÉXICO'], article: 'La edtech Tutorín levanta 25 millones. Crece en México.' })).toEqual(['IA', 'Tutorín', 'México']);
    expect(pick({ language: 'fr', text: 'Mistral AI lève 1,5 milliard', categories: ['Levées de fonds', 'Mistral AI'], article: 'Mistral AI lève. Mistral AI recrute.' })).toEqual(['IA', 'MistralAI', 'LevéeDeFonds']);
  });

  it('counts a hashtag already in the hook toward the cap and never repeats it (10.24)', () => {
    const hook = '#MaVoixMonDroit : 15 000 comédiens exigent un consentement. #MeToo';
    const tags = pick({ language: 'fr', text: hook, hook, categories: ['MaVoixMonDroit', 'Culture', 'Doublage'] });
    expect(tags).toEqual(['IA']);
  });

  it('keeps a category the article does not speak (a French category on an English item) out', () => {
    const tags = pick({ language: 'en', text: 'IEA: grid demand grows 2.1% this year', categories: ['Rapport', 'Energy'], article: 'IEA: grid demand grows 2.1% this year. Energy demand grows.' });
    expect(tags).toEqual(['AI', 'IEA', 'Energy']);
  });
});

describe('language', () => {
  it('is the item’s, else the feed’s, else detected from the text', () => {
    const text = { title: 'La AESIA impone su primera multa por deepfakes sin etiquetar', summary: 'La agencia sanciona a una agencia de publicidad valenciana que usó rostros de famosos.', content: '' };
    expect(articleLanguage({ ...text, language: 'fr' })).toBe('fr');
    expect(articleLanguage(text, 'es-ES')).toBe('es-es');
    expect(articleLanguage(text)).toBe('es');
  });

  it('gives an undetected article French typography only when it is French', () => {
    const article = makeArticle({ title: 'La CNIL inflige 12 millions d’euros d’amende à Parlio: une première', summary: 'Les utilisateurs n’en savaient rien, et la commission estime que la faute est grave!', content: 'La décision ne vise pas l’intelligence artificielle en soi, mais la façon dont on l’entraîne.' });
    const { x } = writeExtractiveTeasers(article, ['x'], makeFeed());
    expect(x!.langs).toEqual(['fr']);
    expect(x!.hook).toContain('Parlio\u202F: une première');
  });
});

describe('llm answers are checked against the article', () => {
  const article = makeArticle({ title: 'La CNIL inflige 12 millions d’euros d’amende à Parlio', summary: 'Les utilisateurs n’en savaient rien.', language: 'fr' });
  it.each([
    ['La CNIL inflige 12 millions d’euros à Parlio : les utilisateurs n’en savaient rien.', undefined],
    ['La CNIL inflige 15 millions d’euros à Parlio.', 'figure "15"'],
    ['La CNIL et Google infligent 12 millions d’euros à Parlio.', 'name "Google"'],
    ['The CNIL fines Parlio 12 million euros because its users knew nothing about the recordings.', 'the hook is in "en"'],
  ])('%s', (hook, problem) => {
    const found = llmHookProblem(hook, article, 'fr');
    if (problem) expect(found).toContain(problem);
    else expect(found).toBeUndefined();
  });
});

describe('the second sentence says why it matters', () => {
  it('takes a stake from the subtitle over a sentence that only adds a figure', () => {
    const article = makeArticle({
      title: 'IEA: data centres now use 2.1% of the world’s electricity',
      summary: 'The agency puts data-centre demand at about 610 TWh this year. Its message to governments: plan the grid now, but do not panic.',
      language: 'en',
    });
    expect(composeHook(article, {}).sentences).toEqual(['IEA: data centres now use 2.1% of the world’s electricity.', 'Its message to governments: plan the grid now, but do not panic.']);
  });

  it('falls back to the "why" section, never to a sentence that repeats the fact’s figure', () => {
    const article = makeArticle({
      title: 'Fos-sur-Mer : feu vert pour un campus de 1,4 GW',
      summary: 'Le projet, chiffré à 9 milliards d’euros, consommera 1,4 GW.',
      content: 'Point de vue neutre\nLe projet confirme l’attrait de la France pour les infrastructures de l’IA, mais il arrive dans une région déjà sous tension.',
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences).toEqual([
      'Fos-sur-Mer : feu vert pour un campus de 1,4 GW.',
      'Le projet confirme l’attrait de la France pour les infrastructures de l’IA, mais il arrive dans une région déjà sous tension.',
    ]);
  });

  it('adds a third sentence only as a short punchline that stands alone, such as the open question of a view', () => {
    const article = makeArticle({
      title: 'La CNIL inflige 12 millions d’euros d’amende à Parlio',
      summary: 'Les utilisateurs n’en savaient rien. La décision ne vise pas l’IA en soi, mais la façon dont on l’entraîne.',
      content:
        'Point de vue neutre\n\nLa sanction rappelle à tout le secteur que les données captées au domicile sont les plus sensibles.\n\nPoint de vue pessimiste\n\nIl est déjà trop tard. Reste à savoir si les autres fabricants suivront.',
      language: 'fr',
    });
    const sentences = composeHook(article, {}).sentences;
    expect(sentences).toHaveLength(3);
    expect(sentences[0]).toBe('La CNIL inflige 12 millions d’euros d’amende à Parlio.');
    // Never the lone pronoun of the view ("Il est déjà trop tard."), always its open question last.
    expect(sentences.slice(1).join(' ')).not.toContain('Il est');
    expect(sentences[2]).toBe('Reste à savoir si les autres fabricants suivront.');
  });

  it('never takes as the why a negation about the subject, a side’s own interest, a lone pronoun or a restatement', () => {
    const article = makeArticle({
      title: 'EDF va fournir 1,2 GW d’électricité nucléaire à Nexalis pendant 15 ans',
      summary: 'EDF fournira 1,2 GW à Nexalis pendant quinze ans.',
      content: [
        'Point de vue neutre',
        'Pour EDF, le contrat sécurise des revenus sur quinze ans. EDF ne prétend pas changer le marché. Ils signent ailleurs aussi.',
        'Point de vue optimiste',
        'La France transforme un atout, son électricité peu carbonée, en avantage industriel.',
      ].join('\n\n'),
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences).toEqual([
      'EDF va fournir 1,2 GW d’électricité nucléaire à Nexalis pendant 15 ans.',
      'La France transforme un atout, son électricité peu carbonée, en avantage industriel.',
    ]);
  });

  it('prefers a why that speaks of the news or a public over one that opens on something the reader has not met', () => {
    const article = makeArticle({
      title: 'TSMC starts mass-producing Nvidia GPUs in Arizona',
      content: [
        'Neutral view',
        'This is a milestone for the United States, and a reminder of how long the rest of the chain takes to follow.',
        'Pessimistic view',
        'The round trip leaves the biggest geopolitical risk exactly where it was.',
      ].join('\n\n'),
      language: 'en',
    });
    expect(composeHook(article, {}).sentences[1]).toBe('This is a milestone for the United States, and a reminder of how long the rest of the chain takes to follow.');
  });

  it('keeps a long link from costing the why: the why is chosen again to fit', () => {
    const article = makeArticle({
      title: 'NHS England to roll out AI stroke-scan triage nationwide after cutting treatment delays by 14 minutes',
      // 79 characters: Bluesky shows it shortened, yet the hook must fit with it counted whole.
      link: 'https://explainers-ia.fr/2026/12/nhs-england-ai-stroke-triage-national-rollout',
      content: [
        'Neutral view',
        'Many units still lack round-the-clock thrombectomy, so an alert at night is of little use if no specialist is on call.',
        'Pessimistic view',
        'Some of the gain may have come from people rather than software.',
      ].join('\n\n'),
      language: 'en',
    });
    const { x, bluesky } = writeExtractiveTeasers(article, ['x', 'bluesky'], makeFeed({ hashtags: ['IA'] }));
    expect(bluesky!.hook).toBe(x!.hook);
    expect(x!.hook).toMatch(/minutes\. \p{Lu}/u);
  });

  it('prefers the subtitle or the neutral view to a one-sided view that hopes or fears', () => {
    const eth = makeArticle({
      title: 'AI coding assistants ship 1.7 times more security flaws, ETH Zurich audit finds',
      summary: 'Researchers traced 4,200 merged pull requests back to how they were written. Assisted code carried more vulnerabilities, but got patched faster.',
      content: 'Optimistic view\n\nThe paper is a start. As assistants are trained to be security-aware and as review tools catch up, the gap could close quickly.',
      language: 'en',
    });
    expect(composeHook(eth, {}).sentences[1]).toBe('Assisted code carried more vulnerabilities, but got patched faster.');
    // "Tout le monde" names no public: a vague hope is not the stake.
    const voices = makeArticle({
      title: '#MaVoixMonDroit : 15 000 comédiens et doubleurs exigent un consentement avant tout clonage vocal',
      content: [
        'Point de vue neutre',
        'La France est l’un des grands marchés mondiaux du doublage, et ses comédiens sont organisés.',
        'Point de vue optimiste',
        'Un cadre clair pourrait profiter à tout le monde.',
      ].join('\n\n'),
      language: 'fr',
    });
    expect(composeHook(voices, {}).sentences[1]).toBe('La France est l’un des grands marchés mondiaux du doublage, et ses comédiens sont organisés.');
  });

  it('never tacks a one-sided line onto the why as a punchline', () => {
    const article = makeArticle({
      title: 'Kenya’s M-Afya chatbot answers 2 million maternal health questions in Swahili',
      content: [
        'Neutral view',
        'The service reaches women who live hours from a clinic and have no smartphone.',
        'Pessimistic view',
        'The service depends on donor money.',
      ].join('\n\n'),
      language: 'en',
    });
    expect(composeHook(article, {}).sentences).toEqual([
      'Kenya’s M-Afya chatbot answers 2 million maternal health questions in Swahili.',
      'The service reaches women who live hours from a clinic and have no smartphone.',
    ]);
  });

  it('prefers the summary sentence that carries the title’s fact with its figure, compressed', () => {
    const article = makeArticle({
      title: 'Kyutai publie Sonal, un modèle vocal qui tourne sur smartphone',
      summary: 'Le laboratoire met en libre accès un assistant vocal.',
      content: 'Récapitulatif factuel\n\nKyutai, le laboratoire fondé à Paris en 2023, a publié Sonal, un modèle vocal d’un milliard de paramètres qui tourne sur smartphone.',
      language: 'fr',
    });
    const [fact] = composeHook(article, {}).sentences;
    expect(fact).toMatch(/^Kyutai, .* a publié Sonal, un modèle vocal d’un milliard de paramètres/u);
    // Compressed only when too long: the apposition that opens with an article goes, a figure in words stays.
    expect(compressSentence(fact!)).toBe('Kyutai a publié Sonal, un modèle vocal d’un milliard de paramètres qui tourne sur smartphone.');
  });
});

describe('hashtags an editor would keep', () => {
  it('spells a category as the article does and drops a filler tag beside an entity', () => {
    const input = { text: 'TSMC starts making Nvidia chips in Arizona', categories: ['Taïwan', 'Research'], language: 'en', article: 'TSMC starts making Nvidia chips in Arizona. They fly back to Taiwan.' };
    expect(pickHashtags(input, makeFeed({ hashtags: ['IA'] }))).toEqual(['AI', 'TSMC', 'Taiwan']);
    expect(pickHashtags({ text: 'Nothing named here', categories: ['Research'], language: 'en' }, makeFeed({ hashtags: ['IA'] }))).toEqual(['AI', 'Research']);
  });
});

describe('the voice, third pass', () => {
  it('names the actor a title leaves unnamed, as the article names it', () => {
    const article = makeArticle({
      title: 'Une start-up de Lyon traduit la langue des signes avec 92 % de précision',
      content: 'Récapitulatif factuel\n\nSignalia, une start-up de Lyon fondée en 2024, a lancé une application qui traduit la langue des signes française.',
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences[0]).toBe('Signalia, une start-up de Lyon, traduit la langue des signes avec 92 % de précision.');
    // "a Nairobi non-profit" shares one word with "A Nairobi startup": no name is put on someone else.
    const other = makeArticle({
      title: 'A Nairobi startup answers 2 million health questions by SMS',
      content: 'Factual summary\n\nM-Afya, a Nairobi non-profit, says its chatbot has answered 2 million questions.',
      language: 'en',
    });
    expect(composeHook(other, {}).sentences[0]).toBe('A Nairobi startup answers 2 million health questions by SMS.');
  });

  it('takes who gains or loses what over a caveat about the result', () => {
    const article = makeArticle({
      title: 'NHS England rolls out stroke-scan triage after cutting delays by 14 minutes',
      content: [
        'Neutral view',
        'Some of the gain may have come from people rather than software.',
        'Pessimistic view',
        'Patients in rural hospitals lose the most when no specialist is on call at night.',
      ].join('\n\n'),
      language: 'en',
    });
    expect(composeHook(article, {}).sentences[1]).toBe('Patients in rural hospitals lose the most when no specialist is on call at night.');
  });

  it('reads a trend ("Ce mouvement illustre…") as a generality, not a stake', () => {
    const article = makeArticle({
      title: 'Thomas Keller quitte Anthropic pour Mistral AI après sept mois',
      content: [
        'Point de vue neutre',
        'Ce mouvement illustre la mobilité extrême des chercheurs de haut niveau. C’est la preuve qu’une entreprise européenne peut attirer des profils formés dans les plus grands laboratoires américains.',
      ].join('\n\n'),
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences[1]).toBe('C’est la preuve qu’une entreprise européenne peut attirer des profils formés dans les plus grands laboratoires américains.');
  });

  it('keeps the point that follows a short announcement when the whole sentence does not fit', () => {
    const article = makeArticle({
      title: 'Thomas Keller quitte Anthropic pour Mistral AI après sept mois',
      content:
        'Point de vue neutre\n\nPour Mistral, c’est une recrue symbolique : la preuve qu’une entreprise européenne peut attirer des profils formés dans les plus grands laboratoires américains.',
      language: 'fr',
    });
    expect(composeHook(article, {}, 190).sentences[1]).toBe('La preuve qu’une entreprise européenne peut attirer des profils formés dans les plus grands laboratoires américains.');
  });

  it('drops the connector that ties a why to the article’s previous sentence', () => {
    const article = makeArticle({
      title: 'Thomas Keller quitte Anthropic pour Mistral AI après sept mois',
      content: 'Point de vue pessimiste\n\nEt la surenchère salariale profite surtout à une poignée de stars, pendant que les universités peinent à garder leurs doctorants.',
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences[1]).toBe('La surenchère salariale profite surtout à une poignée de stars, pendant que les universités peinent à garder leurs doctorants.');
  });

  it('never compresses a why before its consequence', () => {
    const why = 'The problem is concentration: they cluster in a few regions, where they can strain local grids far more than the global figure suggests.';
    expect(compressSentence(why)).toBe('The problem is concentration: they cluster in a few regions.');
    expect(compressKeepingConsequence(why)).toBe(why);
    const article = makeArticle({
      title: 'IEA: data centres now use 2.1% of the world’s electricity, with AI driving half the growth',
      summary: 'The agency puts demand at about 610 TWh. Households may end up paying for grid upgrades made mostly for tech companies.',
      content: `Neutral view\n\n${why}`,
      language: 'en',
    });
    expect(composeHook(article, {}, 200).sentences[1]).toBe('Households may end up paying for grid upgrades made mostly for tech companies.');
  });

  it('ranks a why compressed before its consequence below a whole one', () => {
    const article = makeArticle({
      title: 'IEA: data centres now use 2.1% of the world’s electricity, with AI driving half the growth',
      summary: 'The agency puts demand at about 610 TWh. Its message to governments: plan the grid now.',
      content: 'Neutral view\n\nThe problem for households is concentration: data centres cluster in a few regions, where they can strain local grids far more than the global figure suggests.',
      language: 'en',
    });
    expect(composeHook(article, {}, 200).sentences[1]).toBe('Its message to governments: plan the grid now.');
  });

  it('prefers the sentence that says who gains', () => {
    const article = makeArticle({
      title: 'La SNCF confie la maintenance de 3 000 trains à une IA',
      content: 'Point de vue neutre\n\nLes voyageurs attendent une meilleure ponctualité. Les voyageurs du quotidien y gagnent des correspondances plus fiables.',
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences[1]).toBe('Les voyageurs du quotidien y gagnent des correspondances plus fiables.');
  });

  it('never takes a summary cut mid-list as the why', () => {
    for (const summary of ['We talk Nintendo, getting "Genesis big," Las Vegas,', 'The risk is real for users, developers and regulators,']) {
      const article = makeArticle({ title: 'Vinny practices The Castle Doctrine while Jeff makes a serious attempt to become a Strider', summary, language: 'en' });
      expect(composeHook(article, {}).sentences).toEqual(['Vinny practices The Castle Doctrine while Jeff makes a serious attempt to become a Strider.']);
    }
  });

  it('writes one apostrophe throughout a hook: the hook’s own majority, else the article’s', () => {
    expect(unifyApostrophes('l’ex-chercheur d\'OpenAI', dominantApostrophe('l’ex-chercheur d\'OpenAI', 'l’IA, d’Anthropic, l\'équipe'))).toBe('l’ex-chercheur d’OpenAI');
    // Quotation marks around a phrase are no apostrophes and stay as written.
    expect(unifyApostrophes("'He cheats': Trump’s partner", "'")).toBe("'He cheats': Trump's partner");
    const article = makeArticle({
      title: 'Après sept mois chez Anthropic, l’ex-chercheur d\'OpenAI Thomas Keller rejoint Mistral AI',
      summary: 'Il prendra la direction d’une équipe de 40 chercheurs à Paris, dont une dizaine venues d’OpenAI.',
      language: 'fr',
    });
    const { x } = writeExtractiveTeasers(article, ['x'], makeFeed({ hashtags: ['IA'] }));
    expect(x!.hook).toContain('l’ex-chercheur d’OpenAI');
    expect(x!.hook).not.toContain("'");
  });
});

describe('hashtags, third pass', () => {
  it('puts the term the title names before the sector the site files the item under', () => {
    const text = 'L’IA peut-elle corriger les copies du bac ?\nLe ministère de l’Éducation a testé un outil de correction sur 18 000 copies.';
    expect(pickHashtags({ text, categories: ['Éducation', 'FRANCE'], language: 'fr', article: text }, makeFeed({ hashtags: ['IA'] }))).toEqual(['IA', 'Bac', 'Éducation']);
  });

  it('tags the actor the article names for a title’s unnamed one, not only its place', () => {
    const article = makeArticle({
      title: 'Una startup de Bogotá traduce lengua de señas colombiana con un 92 % de precisión',
      content: 'Resumen factual\n\nSeñalia, una startup de Bogotá fundada en 2024, ha lanzado una aplicación. Señalia trabajó con la comunidad sorda.',
      categories: ['Accesibilidad', 'COLOMBIA'],
      language: 'es',
    });
    const { x } = writeExtractiveTeasers(article, ['x'], makeFeed({ hashtags: ['IA'] }));
    expect(x!.hashtags.slice(0, 2)).toEqual(['IA', 'Señalia']);
  });
});

describe('the voice, fourth pass: explainers heraut never saw', () => {
  it('follows a title without a figure with the subtitle’s sentence that brings one, compressed', () => {
    const article = makeArticle({
      title: 'Norvik Harbour hands its cranes to an AI scheduler',
      summary: 'An audit found 4,100 ships waited less than 30 minutes in 2026, most of them container vessels from Asia.',
      language: 'en',
    });
    const hook = composeHook(article, {}).sentences.join(' ');
    expect(hook).toMatch(/^Norvik Harbour hands its cranes to an AI scheduler\. An audit found 4,100 ships waited less than 30 minutes in 2026/u);
    // "…, most of them container vessels" details the figure: it goes first when room is short.
    expect(compressSentence('An audit found 4,100 ships waited less than 30 minutes in 2026, most of them container vessels from Asia.')).toBe(
      'An audit found 4,100 ships waited less than 30 minutes in 2026.',
    );
  });

  it('takes the figure of what the title speaks of from the summary, without who says so, the manner or a date', () => {
    const article = makeArticle({
      title: 'Valdemar reorganiza su puerto con inteligencia artificial',
      content: [
        'Resumen factual',
        'El nuevo plan entrará en servicio el 1 de junio de 2027. Según las simulaciones, la espera de cada barco, de media, bajará de 31 a 26 horas. El proyecto ha costado 900 millones de pesos.',
      ].join('\n\n'),
      summary: 'La espera de cada barco se acorta, pero los pescadores pierden su muelle.',
      language: 'es',
    });
    const first = composeHook(article, {}).sentences[0];
    expect(first).toMatch(/^Valdemar reorganiza su puerto con inteligencia artificial\. .*31 a 26 horas\.$/u);
    expect(compressSentence('Según las simulaciones, la espera de cada barco, de media, bajará de 31 a 26 horas.')).toBe('La espera de cada barco bajará de 31 a 26 horas.');
    // The subtitle's "se acorta" is said by the figure: only its turn is the why.
    expect(composeHook(article, {}).sentences[1]).toBe('Pero los pescadores pierden su muelle.');
  });

  it('names the tool a subtitle calls "un outil", as the article names it', () => {
    const article = makeArticle({
      title: 'Pourquoi les maraîchers laissent une IA décider quand arroser ?',
      summary: 'Un outil de prévision de la sécheresse, testé sur 4 000 hectares de Beauce, a permis de réduire d’un tiers l’arrosage.',
      content: 'Point de vue neutre\n\nLa chambre d’agriculture a publié le bilan de Hydrix, un outil de prévision des besoins en eau conçu avec une start-up.',
      language: 'fr',
    });
    expect(composeHook(article, {}).sentences[0]).toBe(
      'Hydrix, un outil de prévision de la sécheresse, testé sur 4 000 hectares de Beauce, a permis de réduire d’un tiers l’arrosage.',
    );
  });

  const whyOf = (content: string[]) =>
    composeHook(makeArticle({ title: 'Norvik Harbour cuts ship waiting times by 40% with an AI crane scheduler', content: content.join('\n\n'), language: 'en' }), {}).sentences[1];

  it('never takes a why that points back to a sentence the hook does not carry ("That is the route…")', () => {
    const why = whyOf(['Neutral view', 'The harbour avoids new quays by changing the contract. That is the route most European ports now defend for their crane crews.', 'Pessimistic view', 'Dockers fear the scheduler will decide who works each night.']);
    expect(why).toBeDefined();
    expect(why).not.toMatch(/^That/u);
  });

  it('never takes a why with a sum the fact never introduced', () => {
    expect(whyOf(['Neutral view', 'For a docker who loses a night shift, £90 does not make up for a missed rent payment.'])).toBeUndefined();
  });

  it('never takes a one-sided view’s "But…" that answers its own previous line', () => {
    const why = whyOf([
      'Neutral view',
      'Cranes have been scheduled by software in other ports before.',
      'Pessimistic view',
      'Nine seconds per crane looks small. But over a shift that counts twenty moves, it adds three minutes for crews who have no other choice.',
    ]);
    expect(why).toBe('Cranes have been scheduled by software in other ports before.');
  });

  it('never keeps a comparison cut from what it compares ("The problem is narrower.")', () => {
    const why = whyOf([
      'Neutral view',
      'The problem the unions point to is narrower: schedulers trained on old data can still be blind to the new cranes installed last spring on the northern quays, and crews cannot see why a shift moved.',
    ]);
    expect(why).toBeUndefined();
  });
});
