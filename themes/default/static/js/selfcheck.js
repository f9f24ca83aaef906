// Self-assessment on a standard's checklist page: inputs per item, running total, verdict. Filled in
// by issue 5; the checklist itself prints without this script.
