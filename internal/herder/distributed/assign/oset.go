package assign

// oset is an insertion-ordered set, Java's LinkedHashSet: adding a member twice keeps the
// first position, removal keeps the order of the rest.
type oset[T comparable] struct {
	items []T
	in    map[T]struct{}
}

func (s *oset[T]) len() int { return len(s.items) }

func (s *oset[T]) has(v T) bool {
	_, ok := s.in[v]
	return ok
}

func (s *oset[T]) add(v T) {
	if s.in == nil {
		s.in = make(map[T]struct{})
	}
	if _, ok := s.in[v]; ok {
		return
	}
	s.in[v] = struct{}{}
	s.items = append(s.items, v)
}

func (s *oset[T]) addAll(vs []T) {
	for _, v := range vs {
		s.add(v)
	}
}

func (s *oset[T]) hasAny(o *oset[T]) bool {
	for _, v := range o.items {
		if s.has(v) {
			return true
		}
	}
	return false
}

func (s *oset[T]) filter(keep func(T) bool) {
	kept := s.items[:0]
	for _, v := range s.items {
		if keep(v) {
			kept = append(kept, v)
		} else {
			delete(s.in, v)
		}
	}
	clear(s.items[len(kept):])
	s.items = kept
}

func (s *oset[T]) removeAll(o *oset[T]) { s.filter(func(v T) bool { return !o.has(v) }) }
func (s *oset[T]) retainAll(o *oset[T]) { s.filter(o.has) }
