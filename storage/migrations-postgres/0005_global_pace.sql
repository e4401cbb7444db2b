-- Discord's global limit (50 requests per second per bot) shared by every process of the bot
-- (issue 14): one sequence of places, a place every `period` apart, drawn by the processes in
-- turn (storage::global_pace). `next_free` is the first place no process has drawn yet, by the
-- database's clock; a draw moves it on. One row.
CREATE TABLE global_pace (
    id        smallint PRIMARY KEY CHECK (id = 1),
    next_free timestamptz NOT NULL
);
