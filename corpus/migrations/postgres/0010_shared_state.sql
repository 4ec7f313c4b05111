-- What many workers on one database share (corpus/shared_state.py): Slack event ids claimed by the first
-- worker to insert them, per-user rate-limit windows, and the people told once that gapbot is not enabled
-- where they asked. Times are Unix seconds from the workers' clocks.
CREATE TABLE seen_events (
  event_id TEXT PRIMARY KEY,
  seen_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX seen_events_by_time ON seen_events (seen_at);

CREATE TABLE rate_windows (
  key TEXT PRIMARY KEY,
  times DOUBLE PRECISION[] NOT NULL DEFAULT '{}',  -- the admitted events still inside the window, oldest first
  told BOOLEAN NOT NULL DEFAULT false,  -- refused since the last admitted event
  newest DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_windows_by_time ON rate_windows (newest);

CREATE TABLE told_once (
  key TEXT PRIMARY KEY,
  told_at DOUBLE PRECISION NOT NULL
);
