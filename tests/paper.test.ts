import { describe, expect, test } from 'vitest';
import { VFile } from 'vfile';
import { readFrontMatter } from '../src/frontmatter.ts';
import { bibtex, bibtexText, citationKey, displayName, jsonForScript, lastName, paperLinks, scholarlyArticle } from '../src/paper.ts';
import type { Paper } from '../src/types.ts';

const foundation: Paper = {
  title: 'On the Opportunities and Risks of Foundation Models',
  authors: ['Rishi Bommasani', 'Drew A. Hudson', 'et al.'],
  year: 2021,
  arxiv: '2108.07258',
  doi: '10.48550/arXiv.2108.07258',
};

function read(lines: string[]) {
  const file = new VFile({ path: 'content/posts/p.md', value: ['+++', ...lines, '+++', '', '본문'].join('\n') });
  const frontMatter = readFrontMatter(file, true);
  return { frontMatter, messages: file.messages.map((m) => `${m.line}:${m.column}: ${m.reason}`) };
}

describe('[paper] in front matter', () => {
  test('a full table is read, authors and ids normalised', () => {
    const { frontMatter, messages } = read([
      'title = "리뷰"',
      'date = "2024-01-01"',
      '',
      '[paper]',
      'title = "Attention Is All You Need"',
      'authors = ["Ashish Vaswani", "Noam Shazeer"]',
      'year = 2017',
      'venue = "NeurIPS"',
      'arxiv = "arXiv:1706.03762"',
      'doi = "https://doi.org/10.48550/arXiv.1706.03762"',
      'url = "https://papers.nips.cc/paper/7181"',
    ]);
    expect(messages).toEqual([]);
    expect(frontMatter?.paper).toEqual({
      title: 'Attention Is All You Need',
      authors: ['Ashish Vaswani', 'Noam Shazeer'],
      year: 2017,
      venue: 'NeurIPS',
      arxiv: '1706.03762',
      doi: '10.48550/arXiv.1706.03762',
      url: 'https://papers.nips.cc/paper/7181',
    });
    expect(frontMatter?.extra).toEqual({});
  });

  test('arxiv may be written as its abstract or PDF URL, or arXiv:<id>, as doi takes its resolver URL', () => {
    const arxiv = (written: string) => read(['title = "t"', 'date = "2024-01-01"', '[paper]', 'title = "P"', `arxiv = "${written}"`]);
    for (const [written, id] of [
      ['https://arxiv.org/abs/2108.07258', '2108.07258'],
      ['https://arxiv.org/pdf/2108.07258v2', '2108.07258v2'],
      ['http://arxiv.org/pdf/2108.07258v2.pdf', '2108.07258v2'],
      ['arxiv.org/abs/2108.07258/', '2108.07258'],
      ['https://www.arxiv.org/abs/2108.07258?context=cs', '2108.07258'],
      ['https://export.arxiv.org/abs/cs/0112017v1', 'cs/0112017v1'],
      ['arXiv:2108.07258', '2108.07258'],
      ['arXiv: 2108.07258v3 [cs.LG]', '2108.07258v3'],
      ['arXiv:math/0309136 [math.GT]', 'math/0309136'],
    ]) {
      const { frontMatter, messages } = arxiv(written!);
      expect(messages, written).toEqual([]);
      expect(frontMatter?.paper?.arxiv, written).toBe(id);
    }
    expect(arxiv('https://example.com/abs/2108.07258').messages).toEqual(['6:1: paper.arxiv: expected an arXiv id like "2108.07258"']);
  });

  test('doi may be written as printed on a paper (DOI: …) or as its resolver URL, with or without scheme', () => {
    const doi = (written: string) => read(['title = "t"', 'date = "2024-01-01"', '[paper]', 'title = "P"', `doi = "${written}"`]);
    for (const written of [
      '10.48550/arXiv.2108.07258',
      'doi:10.48550/arXiv.2108.07258',
      'DOI: 10.48550/arXiv.2108.07258',
      'https://doi.org/10.48550/arXiv.2108.07258',
      'http://dx.doi.org/10.48550/arXiv.2108.07258',
      'https://www.doi.org/10.48550/arXiv.2108.07258',
      'doi.org/10.48550/arXiv.2108.07258',
    ]) {
      const { frontMatter, messages } = doi(written);
      expect(messages, written).toEqual([]);
      expect(frontMatter?.paper?.doi, written).toBe('10.48550/arXiv.2108.07258');
    }
  });

  test('one author may be a string', () => {
    const { frontMatter } = read(['title = "t"', 'date = "2024-01-01"', '[paper]', 'title = "P"', 'authors = "Kurt"']);
    expect(frontMatter?.paper?.authors).toEqual(['Kurt']);
  });

  test('an empty venue is no venue: no empty journal in the BibTeX, an arXiv preprint still names arXiv', () => {
    const { frontMatter, messages } = read(['title = "t"', 'date = "2024-01-01"', '[paper]', 'title = "Adam"', 'authors = ["Diederik Kingma"]', 'venue = " "', 'arxiv = "1412.6980"']);
    expect(messages).toEqual([]);
    expect(frontMatter?.paper?.venue).toBeUndefined();
    expect(bibtex(frontMatter!.paper!)).toContain('journal = {arXiv preprint arXiv:1412.6980}');
  });

  test('every bad value is an error at its key inside [paper]', () => {
    const { frontMatter, messages } = read([
      'title = "t"',
      'date = "2024-01-01"',
      '',
      '[paper]',
      'title = "P"',
      'year = "2021"',
      'arxiv = "https://arxiv.org/list/cs.CL/recent"',
      'doi = "not a doi"',
      'url = "javascript:alert(1)"',
      'arXiv = "2108.07258"',
    ]);
    expect(frontMatter).toBeUndefined();
    expect(messages).toEqual([
      '7:1: paper.year: expected a year as a number, e.g. 2021',
      '8:1: paper.arxiv: expected an arXiv id like "2108.07258"',
      '9:1: paper.doi: expected a DOI like "10.48550/arXiv.2108.07258"',
      '10:1: paper.url: expected an http(s) URL',
      '11:1: paper.arXiv: unknown key; expected one of title, authors, year, venue, arxiv, doi, url',
    ]);
  });

  test('bad values are errors at their key when [paper] is an inline table or written with dotted keys', () => {
    const inline = read(['title = "t"', 'date = "2024-01-01"', 'paper = { title = "Y", year = 20215, arxiv = "abc" }']);
    expect(inline.messages).toEqual([
      '4:24: paper.year: expected a four-digit year',
      '4:38: paper.arxiv: expected an arXiv id like "2108.07258"',
    ]);
    const dotted = read(['title = "t"', 'date = "2024-01-01"', 'paper.title = "Y"', 'paper.year = 99', 'paper.arXiv = "1706.03762"']);
    expect(dotted.messages).toEqual([
      '5:1: paper.year: expected a four-digit year',
      '6:1: paper.arXiv: unknown key; expected one of title, authors, year, venue, arxiv, doi, url',
    ]);
    // A missing title is told at the first key that makes the table.
    expect(read(['title = "t"', 'date = "2024-01-01"', 'paper.year = 2021']).messages).toEqual(['4:1: paper.title is required']);
    expect(read(['title = "t"', 'date = "2024-01-01"', 'paper = { year = 2021 }']).messages).toEqual(['4:1: paper.title is required']);
  });

  test('a missing title is an error at the [paper] header', () => {
    const { messages } = read(['title = "t"', 'date = "2024-01-01"', '', '[paper]', 'year = 2021']);
    expect(messages).toEqual(['5:1: paper.title is required']);
  });

  test('paper must be a table', () => {
    const { messages } = read(['title = "t"', 'date = "2024-01-01"', 'paper = "Attention"']);
    expect(messages).toEqual(['4:1: paper: expected a table: [paper] with title = "..."']);
  });
});

describe('citation key and BibTeX', () => {
  test('Google Scholar style keys: last name, year, first significant title word', () => {
    expect(citationKey(foundation)).toBe('bommasani2021opportunities');
    expect(citationKey({ title: 'Attention Is All You Need', authors: ['Vaswani, Ashish'], year: 2017 })).toBe('vaswani2017attention');
    expect(citationKey({ title: 'Über Köpfe', authors: ['Jürgen Schmidhuber'], year: 1992 })).toBe('schmidhuber1992uber');
    expect(lastName('Drew A. Hudson')).toBe('Hudson');
  });

  test('Hangul is kept: a Korean name gives its family name, the first syllable (or the first word, spaced), and a Hangul title its first word', () => {
    expect(citationKey({ title: '한국어 문장 임베딩 연구', authors: ['김철수', '이영희'], year: 2023 })).toBe('김2023한국어');
    expect(citationKey({ title: '한국어 논문', authors: ['남궁 민수'] })).toBe('남궁한국어');
    expect(citationKey({ title: 'BERT를 위한 분석', authors: ['Chulsoo Kim'], year: 2020 })).toBe('kim2020bert를');
    expect(lastName('김철수')).toBe('김');
    expect(citationKey({ title: '—', authors: ['李小龍'] })).toBe('paper');
  });

  test('authors written as one string are split into names: at BibTeX\'s " and ", else at commas', () => {
    const paper = (authors: string, title = 'BERT: Pre-training of Deep Bidirectional Transformers', year = 2019) =>
      read(['title = "t"', 'date = "2024-01-01"', '[paper]', `title = "${title}"`, `authors = "${authors}"`, `year = ${year}`]).frontMatter!.paper!;
    const devlin = paper('Jacob Devlin and Ming-Wei Chang and Kenton Lee and Kristina Toutanova');
    expect(devlin.authors).toEqual(['Jacob Devlin', 'Ming-Wei Chang', 'Kenton Lee', 'Kristina Toutanova']);
    expect(citationKey(devlin)).toBe('devlin2019bert');
    expect(scholarlyArticle(devlin).author).toEqual(devlin.authors.map((name) => ({ '@type': 'Person', name })));
    expect(bibtex(devlin)).toContain('author = {Jacob Devlin and Ming-Wei Chang and Kenton Lee and Kristina Toutanova}');
    expect(paper('Devlin, Jacob and Chang, Ming-Wei and others').authors).toEqual(['Devlin, Jacob', 'Chang, Ming-Wei', 'others']);
    // Shown in a list (card, JSON-LD), "Last, First" would read as two people.
    expect(scholarlyArticle(paper('Devlin, Jacob and Chang, Ming-Wei')).author).toEqual([
      { '@type': 'Person', name: 'Jacob Devlin' },
      { '@type': 'Person', name: 'Ming-Wei Chang' },
    ]);
    expect(paper('Devlin, Jacob and Chang, Ming-Wei and others').authors.map(displayName)).toEqual(['Jacob Devlin', 'Ming-Wei Chang', 'et al.']);
    expect(['King, Jr., Martin Luther', '남궁, 민수', 'Jacob Devlin', '김철수'].map(displayName)).toEqual(['Martin Luther King Jr.', '남궁 민수', 'Jacob Devlin', '김철수']);
    const vaswani = paper('Ashish Vaswani, Noam Shazeer, Niki Parmar', 'Attention Is All You Need', 2017);
    expect(vaswani.authors).toEqual(['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar']);
    expect(citationKey(vaswani)).toBe('vaswani2017attention');
    expect(paper('Ashish Vaswani, Noam Shazeer, and Niki Parmar').authors).toEqual(['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar']);
    expect(paper('Ashish Vaswani, Noam Shazeer and Niki Parmar').authors).toEqual(['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar']);
    expect(paper('김철수, 이영희', '한국어 연구', 2023).authors).toEqual(['김철수', '이영희']);
    // Korean "외" (et al.) is no author: BibTeX "others", left out of JSON-LD, shown as written.
    const korean = paper('김철수, 이영희 외 3명', '한국어 연구', 2023);
    expect(korean.authors).toEqual(['김철수', '이영희', '외 3명']);
    expect(bibtex(korean)).toContain('author = {김철수 and 이영희 and others}');
    expect(scholarlyArticle(korean).author).toEqual([{ '@type': 'Person', name: '김철수' }, { '@type': 'Person', name: '이영희' }]);
    expect(korean.authors.map(displayName)).toEqual(['김철수', '이영희', '외 3명']);
    expect(paper('Ashish Vaswani et al.').authors).toEqual(['Ashish Vaswani', 'et al.']);
    // BibTeX takes the last word of "First Last" as the family name: a Korean name with a space goes "Family, Given".
    expect(bibtex(paper('남궁 민수 and 김 철수 and 이영희 and Jacob Devlin', '한국어 연구', 2023))).toContain('author = {남궁, 민수 and 김, 철수 and 이영희 and Jacob Devlin}');
    expect(paper('Alexander Rush').authors).toEqual(['Alexander Rush']);
  });

  test('an arXiv preprint is an @article whose journal names arXiv; "et al." becomes "others"', () => {
    expect(bibtex(foundation)).toBe(
      [
        '@article{bommasani2021opportunities,',
        '  title = {On the Opportunities and Risks of Foundation Models},',
        '  author = {Rishi Bommasani and Drew A. Hudson and others},',
        '  journal = {arXiv preprint arXiv:2108.07258},',
        '  year = {2021},',
        '  eprint = {2108.07258},',
        '  archivePrefix = {arXiv},',
        '  doi = {10.48550/arXiv.2108.07258}',
        '}',
      ].join('\n'),
    );
  });

  test('a conference paper is @inproceedings with a booktitle; no venue at all is @misc', () => {
    expect(bibtex({ title: 'Transformers', authors: ['B C'], year: 2017, venue: 'NeurIPS' })).toMatch(/^@inproceedings\{c2017transformers,\n[^]*booktitle = \{NeurIPS\}/);
    const type = (venue: string) => /^@(\w+)/.exec(bibtex({ title: 't', authors: [], venue }))![1];
    // Journals named "Proceedings of …" are journals; Korean conference proceedings are proceedings.
    expect(type('Proceedings of the National Academy of Sciences')).toBe('article');
    expect(type('Proceedings of the IEEE')).toBe('article');
    expect(type('IEEE Transactions on Pattern Analysis and Machine Intelligence (CVPR special issue)')).toBe('article');
    expect(type('정보과학회논문지')).toBe('article');
    expect(type('한국정보과학회 학술발표논문집')).toBe('inproceedings');
    expect(type('한국컴퓨터종합학술대회')).toBe('inproceedings');
    expect(type('Proceedings of the AAAI Conference on Artificial Intelligence')).toBe('inproceedings');
    expect(type('Findings of the Association for Computational Linguistics: EMNLP 2023')).toBe('inproceedings');
    expect(bibtex({ title: 'Dropout', authors: [], venue: 'Journal of Machine Learning Research' })).toMatch(/^@article\{dropout,\n[^]*journal = \{Journal of Machine Learning Research\}/);
    expect(bibtex({ title: 'Notes', authors: [] })).toBe('@misc{notes,\n  title = {Notes}\n}');
  });

  test('braces and TeX specials are escaped, so every entry balances', () => {
    expect(bibtexText('{BERT}: 100% & #1 in $_~^\\')).toBe('\\{BERT\\}: 100\\% \\& \\#1 in \\$\\_\\textasciitilde{}\\textasciicircum{}\\textbackslash{}');
    const entry = bibtex({ title: 'a} @misc{evil, title = {x', authors: ['}'], url: 'https://x.org/{a} b' });
    let depth = 0;
    for (let i = 0; i < entry.length; i++) {
      if (entry[i] === '\\') i++;
      else if (entry[i] === '{') depth++;
      else if (entry[i] === '}') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(entry).toContain('url = {https://x.org/%7Ba%7D%20b}');
  });
});

describe('JSON-LD', () => {
  test('a ScholarlyArticle with authors, date, links and the DOI', () => {
    expect(scholarlyArticle(foundation)).toEqual({
      '@type': 'ScholarlyArticle',
      name: foundation.title,
      author: [
        { '@type': 'Person', name: 'Rishi Bommasani' },
        { '@type': 'Person', name: 'Drew A. Hudson' },
      ],
      datePublished: '2021',
      url: 'https://arxiv.org/abs/2108.07258',
      sameAs: ['https://arxiv.org/abs/2108.07258', 'https://doi.org/10.48550/arXiv.2108.07258'],
      identifier: { '@type': 'PropertyValue', propertyID: 'DOI', value: '10.48550/arXiv.2108.07258' },
    });
    // A `#` ends many old Wiley DOIs: unescaped, it would start the URL's fragment and resolve another DOI.
    const sici = { title: 't', authors: [], doi: '10.1002/1521-3773(20010316)40:6<1046::AID-ANIE1046>3.0.CO;2-#' };
    expect(paperLinks(sici).doi).toBe('https://doi.org/10.1002/1521-3773(20010316)40:6%3C1046::AID-ANIE1046%3E3.0.CO;2-%23');
    expect(new URL(paperLinks(sici).doi!).hash).toBe('');
    const pasted = read(['title = "t"', 'date = "2024-01-01"', '[paper]', 'title = "t"', 'doi = "https://doi.org/10.1002/x;2-%23"']).frontMatter!.paper!;
    expect(pasted.doi).toBe('10.1002/x;2-#');
    expect(paperLinks(foundation)).toEqual({ arxiv: 'https://arxiv.org/abs/2108.07258', doi: 'https://doi.org/10.48550/arXiv.2108.07258' });
  });

  test('is escaped for a <script> element and still parses to the same value', () => {
    const value = { name: '</script><script>alert(1)</script> & <!-- \u2028\u2029' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(json)).toEqual(value);
  });
});
