-- 网上评选结果's additive estimate (issue 13, 11.), computed where the sheets are: total = q(candidate) + b(expert),
-- least squares over the campaign's submitted sheets, the experts' offsets summing to 0 within each connected
-- component of the expert–candidate design. core/review/ranking.ts defines it (fitAdditive, exact) and gives the
-- iteration used here (fitAdditiveIterative: alternating means, then each component re-centred) as its reference;
-- server/review-ranking.test.ts holds this function to it on PGlite and PostgreSQL.
-- Returns one row per candidate with a submitted sheet: its quality, its component (0, 1, … numbered by the
-- candidates' order of id), and the sweeps it took.
CREATE OR REPLACE FUNCTION review_additive(p_campaign uuid, p_tolerance double precision DEFAULT 1e-9, p_max_sweeps integer DEFAULT 10000)
RETURNS TABLE (application_id uuid, quality double precision, component integer, sweeps integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  cands uuid[];
  se integer[];          -- per sheet: the expert's index (1..ne)
  sc integer[];          -- per sheet: the candidate's index (1..nc)
  st double precision[]; -- per sheet: its total
  ns integer; ne integer; nc integer;
  parent integer[];      -- union-find over experts (1..ne) and candidates (ne+1..ne+nc)
  comp_e integer[]; comp_c integer[]; ncomp integer := 0; label integer[];
  cnt_e integer[]; cnt_c integer[];
  q double precision[]; b double precision[];
  acc double precision[]; nb double precision[];
  csum double precision[]; ccnt integer[]; shift double precision[];
  moved double precision; v double precision;
  n_sweeps integer := 0;
  i integer; j integer; k integer; r1 integer; r2 integer; x integer;
BEGIN
  WITH s AS (
    SELECT ss.expert_id, ss.application_id, ss.total::double precision AS t
    FROM score_sheets ss
    WHERE ss.campaign_id = p_campaign AND ss.status = 'submitted' AND ss.total IS NOT NULL
  ), e AS (
    SELECT d.expert_id, (row_number() OVER (ORDER BY d.expert_id))::integer AS ei FROM (SELECT DISTINCT s.expert_id FROM s) d
  ), c AS (
    SELECT d.application_id, (row_number() OVER (ORDER BY d.application_id))::integer AS ci FROM (SELECT DISTINCT s.application_id FROM s) d
  )
  SELECT array_agg(e.ei ORDER BY e.ei, c.ci), array_agg(c.ci ORDER BY e.ei, c.ci), array_agg(s.t ORDER BY e.ei, c.ci),
         (SELECT count(*)::integer FROM e), (SELECT count(*)::integer FROM c),
         (SELECT array_agg(c2.application_id ORDER BY c2.ci) FROM c c2)
  INTO se, sc, st, ne, nc, cands
  FROM s JOIN e ON e.expert_id = s.expert_id JOIN c ON c.application_id = s.application_id;

  ns := coalesce(array_length(st, 1), 0);
  IF ns = 0 THEN
    RETURN;
  END IF;

  -- connected components (union-find, with path halving)
  parent := array(SELECT generate_series(1, ne + nc));
  FOR k IN 1..ns LOOP
    r1 := se[k];
    WHILE parent[r1] <> r1 LOOP parent[r1] := parent[parent[r1]]; r1 := parent[r1]; END LOOP;
    r2 := ne + sc[k];
    WHILE parent[r2] <> r2 LOOP parent[r2] := parent[parent[r2]]; r2 := parent[r2]; END LOOP;
    IF r1 <> r2 THEN parent[r1] := r2; END IF;
  END LOOP;
  -- components numbered 0, 1, … in the candidates' order
  label := array_fill(-1, ARRAY[ne + nc]);
  comp_c := array_fill(0, ARRAY[nc]);
  comp_e := array_fill(0, ARRAY[ne]);
  FOR j IN 1..nc LOOP
    x := ne + j;
    WHILE parent[x] <> x LOOP x := parent[x]; END LOOP;
    IF label[x] < 0 THEN label[x] := ncomp; ncomp := ncomp + 1; END IF;
    comp_c[j] := label[x];
  END LOOP;
  FOR i IN 1..ne LOOP
    x := i;
    WHILE parent[x] <> x LOOP x := parent[x]; END LOOP;
    comp_e[i] := label[x];
  END LOOP;

  cnt_e := array_fill(0, ARRAY[ne]);
  cnt_c := array_fill(0, ARRAY[nc]);
  FOR k IN 1..ns LOOP
    cnt_e[se[k]] := cnt_e[se[k]] + 1;
    cnt_c[sc[k]] := cnt_c[sc[k]] + 1;
  END LOOP;
  ccnt := array_fill(0, ARRAY[ncomp]);
  FOR i IN 1..ne LOOP ccnt[comp_e[i] + 1] := ccnt[comp_e[i] + 1] + 1; END LOOP;

  q := array_fill(0::double precision, ARRAY[nc]);
  b := array_fill(0::double precision, ARRAY[ne]);
  LOOP
    n_sweeps := n_sweeps + 1;
    moved := 0;
    -- q_c = mean over c's sheets of (t − b_e)
    acc := array_fill(0::double precision, ARRAY[nc]);
    FOR k IN 1..ns LOOP acc[sc[k]] := acc[sc[k]] + st[k] - b[se[k]]; END LOOP;
    FOR j IN 1..nc LOOP
      v := acc[j] / cnt_c[j];
      moved := greatest(moved, abs(v - q[j]));
      q[j] := v;
    END LOOP;
    -- b_e = mean over e's sheets of (t − q_c), then each component's offsets centred on 0 (q shifted to match)
    acc := array_fill(0::double precision, ARRAY[ne]);
    FOR k IN 1..ns LOOP acc[se[k]] := acc[se[k]] + st[k] - q[sc[k]]; END LOOP;
    nb := array_fill(0::double precision, ARRAY[ne]);
    csum := array_fill(0::double precision, ARRAY[ncomp]);
    FOR i IN 1..ne LOOP
      nb[i] := acc[i] / cnt_e[i];
      csum[comp_e[i] + 1] := csum[comp_e[i] + 1] + nb[i];
    END LOOP;
    shift := array_fill(0::double precision, ARRAY[ncomp]);
    FOR x IN 1..ncomp LOOP shift[x] := csum[x] / ccnt[x]; END LOOP;
    FOR i IN 1..ne LOOP
      v := nb[i] - shift[comp_e[i] + 1];
      moved := greatest(moved, abs(v - b[i]));
      b[i] := v;
    END LOOP;
    FOR j IN 1..nc LOOP q[j] := q[j] + shift[comp_c[j] + 1]; END LOOP;
    EXIT WHEN moved <= p_tolerance OR n_sweeps >= p_max_sweeps;
  END LOOP;

  FOR j IN 1..nc LOOP
    application_id := cands[j];
    quality := q[j];
    component := comp_c[j];
    sweeps := n_sweeps;
    RETURN NEXT;
  END LOOP;
END
$$;
