package storetest

import (
	"testing"
	"time"

	"birdie"
)

func sameToken(a, b birdie.Token) bool {
	return a.ID == b.ID && a.WorkspaceID == b.WorkspaceID && a.Prefix == b.Prefix && a.Hash == b.Hash &&
		a.Created.Equal(b.Created) && a.LastUsed.Equal(b.LastUsed) && a.Revoked.Equal(b.Revoked)
}

func testTokens(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	other := newWorkspace(t, s, "other")
	t0 := now()

	var secrets []string
	var toks []birdie.Token
	for i := range 3 {
		secret, tok := birdie.NewToken(ws.ID, t0.Add(time.Duration(i)*time.Second))
		must(t, s.CreateToken(ctx(t), tok), "CreateToken")
		secrets = append(secrets, secret)
		toks = append(toks, tok)
	}
	_, otherTok := birdie.NewToken(other.ID, t0)
	must(t, s.CreateToken(ctx(t), otherTok), "CreateToken in another workspace")

	got, err := s.TokenByHash(ctx(t), birdie.HashToken(secrets[1]))
	must(t, err, "TokenByHash")
	if !sameToken(got, toks[1]) {
		t.Errorf("TokenByHash = %+v, want %+v", got, toks[1])
	}
	if got.IsRevoked() || !got.LastUsed.IsZero() {
		t.Errorf("a new token reads back revoked or used: %+v", got)
	}
	_, err = s.TokenByHash(ctx(t), birdie.HashToken("birdie_scim_unknown"))
	wantCode(t, err, birdie.ENOTFOUND, "TokenByHash of an unknown hash")

	list, err := s.Tokens(ctx(t), ws.ID)
	must(t, err, "Tokens")
	if len(list) != 3 {
		t.Fatalf("Tokens listed %d tokens, want 3 (not the other workspace's)", len(list))
	}
	for i := range list {
		if !sameToken(list[i], toks[i]) {
			t.Errorf("Tokens[%d] = %+v, want %+v (oldest first)", i, list[i], toks[i])
		}
	}

	used := t0.Add(time.Minute)
	must(t, s.TouchToken(ctx(t), toks[0].ID, used), "TouchToken")
	got, err = s.TokenByHash(ctx(t), toks[0].Hash)
	must(t, err, "TokenByHash after TouchToken")
	if !got.LastUsed.Equal(used) {
		t.Errorf("after TouchToken LastUsed = %v, want %v", got.LastUsed, used)
	}

	revoked := t0.Add(2 * time.Minute)
	must(t, s.RevokeToken(ctx(t), toks[0].ID, revoked), "RevokeToken")
	got, err = s.TokenByHash(ctx(t), toks[0].Hash)
	must(t, err, "TokenByHash of a revoked token (still returned)")
	if !got.IsRevoked() || !got.Revoked.Equal(revoked) {
		t.Errorf("after RevokeToken the token reads %+v, want revoked at %v", got, revoked)
	}
	must(t, s.RevokeToken(ctx(t), toks[0].ID, revoked.Add(time.Minute)), "RevokeToken of a revoked token")
	got, err = s.TokenByHash(ctx(t), toks[0].Hash)
	must(t, err, "TokenByHash")
	if !got.IsRevoked() {
		t.Errorf("revoking twice un-revoked the token: %+v", got)
	}
	err = s.RevokeToken(ctx(t), "tok_unknown", revoked)
	wantCode(t, err, birdie.ENOTFOUND, "RevokeToken of an unknown token")

	if other, err := s.TokenByHash(ctx(t), toks[1].Hash); err != nil || other.IsRevoked() {
		t.Errorf("revoking one token affected another: %+v, %v", other, err)
	}
}
