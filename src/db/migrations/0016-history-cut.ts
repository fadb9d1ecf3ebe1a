// Where a rebuild from history stopped (issue 3). `refresh --rebuild --as-of D` folds each
// member's events up to D only, so the stored aggregates of a past-dated rebuild leave out the
// events after D that were already stored. `history_cut` records D while some were left out; a
// later refresh past it rebuilds the members with events between D and its own as-of from history
// before anything else, so that moving forward again counts them (see refresh-segments.ts).

export const statements = [`ALTER TABLE segment_settings ADD COLUMN history_cut timestamptz`];
