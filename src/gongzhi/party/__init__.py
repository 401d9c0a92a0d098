"""党建引领: party organisations on the grids, members, dual registration, member–household links,
activities, points, micro-wishes, disclosure, study courses and the party roles in case handling."""
