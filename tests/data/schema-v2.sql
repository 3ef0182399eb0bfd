-- Frozen copy of workspace schema version 2 (anzen 0.1: plan and evidence,
-- before the web UI's accounts). Used to test the migration 2 -> 3; never edit.
CREATE TABLE profile (  id INTEGER PRIMARY KEY CHECK (id = 1),  body TEXT NOT NULL,  updated_at TEXT NOT NULL);
CREATE TABLE answer_sets (  id INTEGER PRIMARY KEY,  edition TEXT NOT NULL,  form TEXT NOT NULL,  system TEXT NOT NULL DEFAULT '',  updated_at TEXT NOT NULL,  UNIQUE (edition, form, system));
CREATE TABLE answers (  set_id INTEGER NOT NULL REFERENCES answer_sets(id) ON DELETE CASCADE,  seq INTEGER NOT NULL,  item TEXT NOT NULL,  answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'na', 'none')),  checked TEXT, target TEXT, note TEXT,  evidence TEXT NOT NULL DEFAULT '[]',  PRIMARY KEY (set_id, item));
CREATE TABLE assessments (  id INTEGER PRIMARY KEY,  taken_at TEXT NOT NULL,  as_of TEXT NOT NULL,  edition TEXT NOT NULL,  form TEXT NOT NULL,  system TEXT NOT NULL DEFAULT '',  answers TEXT NOT NULL,  evaluation TEXT NOT NULL);
CREATE TABLE change_log (  id INTEGER PRIMARY KEY,  at TEXT NOT NULL,  who TEXT NOT NULL,  what TEXT NOT NULL,  object TEXT NOT NULL,  before TEXT,  after TEXT);
CREATE TRIGGER change_log_append_only_u BEFORE UPDATE ON change_log  BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;
CREATE TRIGGER change_log_append_only_d BEFORE DELETE ON change_log  BEGIN SELECT RAISE(ABORT, 'change_log is append-only'); END;
CREATE TABLE plan_items (  item TEXT PRIMARY KEY,  state TEXT NOT NULL,  updated_at TEXT NOT NULL);
CREATE TABLE evidence (  id INTEGER PRIMARY KEY,  item TEXT NOT NULL,  kind TEXT NOT NULL,  description TEXT NOT NULL,  source TEXT,  collected_at TEXT NOT NULL,  who TEXT NOT NULL);
CREATE INDEX evidence_item ON evidence (item);

PRAGMA user_version = 2;
