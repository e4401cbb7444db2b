# Pictures and reports: the process chart, HR's statistics and the case for the archive.

cmd-rekruttering-kart = chart
    .description = Show the process chart with where the case stands now
    .sak = case
    .sak-description = The case (pick from the list; without: this thread's case)
cmd-rekruttering-statistikk = statistics
    .description = HR: how long recruitments take and where they get stuck
    .fra = from
    .fra-description = From date (DD.MM.YYYY); without: one year back
    .til = to
    .til-description = To date, inclusive (DD.MM.YYYY); without: today
cmd-rekruttering-eksport = export
    .description = The case as a PDF for the archive (the case's manager and HR)
    .sak = case
    .sak-description = The case (its number; without: this thread's case)

btn-chart = Show in chart

chart-title = Case #{ $case }: { $title } – { $unit }
chart-phase = Phase { $n } of { $total }: { $phase }
chart-completed = Completed { $when }
chart-closed = Closed { $when }
chart-asked = Waiting for: { $who }
chart-legend-open = Open now
chart-legend-done = Done
chart-legend-skipped = Not applicable
chart-legend-not_reached = Not reached yet
chart-legend-off_path = Not on this case's path
chart-alt = Process chart for case #{ $case }. { $phase }. Open steps: { $open }. { $done } of { $total } steps are finished.
chart-alt-none = none
chart-alt-open = { $step } (waiting for { $who })

stats-none = No cases were opened on this server from { $from } to { $to }, so there are no statistics to show.
stats-title = **Statistics for { $from }–{ $to }**: { $count ->
        [one] 1 case
       *[other] { $count } cases
    }
stats-to-start = From vacancy to start date: median { $median } days, 90th percentile { $p90 } days ({ $count ->
        [one] 1 case
       *[other] { $count } cases
    } with a start date)
stats-to-start-none = From vacancy to start date: none of the cases has a start date yet
stats-phases = Days in each phase (median / 90th percentile):
stats-phase-line = • { $phase }: { $median } / { $p90 } ({ $count ->
        [one] 1 case
       *[other] { $count } cases
    })
stats-phase-none = • { $phase }: no case has gone through this phase
stats-overdue = Most often overdue:
stats-overdue-line = • { $step }, waiting for { $role }: { $times } times
stats-overdue-none = No step was overdue.
stats-outcomes = Outcomes: { $new_hire } new hires, { $without } solved without a new contract, { $closed } closed early, { $open } still open; { $declined } where every candidate declined
stats-legal-title = Legal deadlines:
stats-legal = • { $basis }: { $met } met, { $missed } missed
stats-chart-title = Days in each phase
stats-chart-days = days
stats-chart-median = median
stats-chart-p90 = 90th percentile
stats-chart-alt = Bar chart of the days in each phase, median and 90th percentile, for { $count ->
        [one] 1 case
       *[other] { $count } cases
    }.
stats-bad-period = The period must begin before it ends: { $from }–{ $to }.
stats-outcome-new_hire = new hire
stats-outcome-without_new_contract = without a new contract
stats-outcome-closed_early = closed early
stats-outcome-open = open
stats-legal-met = met
stats-legal-missed = missed
stats-legal-pending = not reached
stats-yes = yes
stats-no = no
csv-case = case
csv-unit = unit
csv-opened = opened
csv-start = start date
csv-ended = ended
csv-outcome = outcome
csv-declined = all declined
csv-overdue = overdue steps
csv-phase-start = { $phase }: start
csv-phase-days = { $phase }: days

export-title = Case #{ $case }: { $title }
export-unit = Unit: { $unit }
export-opened = Opened { $when }
export-status-open = Status: open
export-status-completed = Status: completed { $when }
export-status-closed = Status: closed { $when }
export-events = Events
export-dates = Dates
export-deadlines = Legal deadlines
export-deadline = { $basis }: due { $due }, { $result }
export-no-deadlines = No legal deadline has a date yet.
export-purged = The case was anonymised { $when }, 12 months after it ended: names and free text are deleted. The export shows only the anonymous timeline.
export-footer = Case #{ $case } · made { $when } · page
export-reply = Case #{ $case } as a PDF for the archive.
