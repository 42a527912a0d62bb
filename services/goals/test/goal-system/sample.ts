/** A small valid goal-system file for the import tests, and helpers to break it and find places in it. */
export const SAMPLE = `mandant: 09461
titel: Beispiel
ziele:
  - schluessel: teilhabe
    ebene: strategisches Ziel
    titel: Teilhabe für Alle
    verantwortlich: Sozialreferat
    prioritaet: 1
    ziele:
      - schluessel: arbeit
        ebene: Fachbereichsziel
        titel: Arbeitslosendichte senken
        raum: { gliederung: gemeindeverzeichnis, gebiete: [09461000] }
        zielwerte:
          - schluessel: ald
            kennzahl: arbeitslosendichte
            ausgangswert: { wert: 3.34, jahr: 2017 }
            zielwert: 3.0
            richtung: höchstens
            termin: 2021-12-31
        kontextkennzahlen:
          - kennzahl: kinderarmut
            notiz: Lage der Familien
massnahmen:
  - schluessel: beratung
    titel: Beratung Arbeitsuchender
    ziele: [arbeit]
    verantwortlich: Sozialreferat
    praevention: präventiv
    ansatz: individuell
    traeger: verein
traeger:
  - schluessel: verein
    name: Beispielverein e.V.
    rechtsform: e.V.
    spitzenverband: Caritas
vertraege:
  - schluessel: lv
    art: Leistungsvereinbarung
    titel: Beratung
    auftraggeber: Sozialreferat
    traeger: verein
    laufzeit: { von: 2024-01-01, bis: 2026-12-31 }
    leistung: Beratung Arbeitsuchender
    produkt: "31.5"
    finanzierung: { art: Zuwendung, jahresbetrag: 48500.5 }
    kennzahlen:
      - { schluessel: beratene, name: Beratene, einheit: Anzahl, zielwert: 100, richtung: mindestens, ziel: arbeit }
    berichtspflichten:
      - { schluessel: jahresbericht, inhalt: Jahresbericht, rhythmus: jährlich, kennzahlen: [beratene] }
`;

/** The text with `from` replaced by `to` (which must occur exactly once). */
export function edit(text: string, from: string, to: string): string {
  const first = text.indexOf(from);
  if (first < 0 || text.indexOf(from, first + 1) >= 0) throw new Error(`„${from}“ kommt nicht genau einmal vor`);
  return text.slice(0, first) + to + text.slice(first + from.length);
}

/** 1-based line and column of the (only) occurrence of `needle`. */
export function at(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  if (offset < 0 || text.indexOf(needle, offset + 1) >= 0) throw new Error(`„${needle}“ kommt nicht genau einmal vor`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
