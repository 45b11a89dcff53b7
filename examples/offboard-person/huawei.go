package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// huawei removes a member from a DataArts Studio workspace (POST
// delete-users), with an IAM token in X-Auth-Token. A refusal is a 4xx
// with error_code, or a 200 with is_success false.
type huawei struct {
	cl                     *client
	url                    string // https://dayu.region.myhuaweicloud.com
	token                  string
	project, space, member string
}

func (h *huawei) vendor() *vendor {
	return &vendor{name: "huawei", remove: h.remove, verify: h.verify}
}

func (h *huawei) base() string {
	return h.url + "/v2/" + url.PathEscape(h.project) + "/" + url.PathEscape(h.space)
}

func (h *huawei) remove(ctx context.Context) error {
	a, err := h.cl.do(ctx, call{what: "huawei delete-users", method: http.MethodPost, url: h.base() + "/delete-users",
		header: headers("Content-Type", "application/json;charset=UTF-8", "X-Auth-Token", h.token),
		body:   jsonBody(map[string][]string{"user_ids": {h.member}})})
	if err != nil {
		return err
	}
	var r struct {
		IsSuccess bool   `json:"is_success"`
		Message   string `json:"message"`
		Code      string `json:"error_code"`
		Msg       string `json:"error_msg"`
	}
	_ = json.Unmarshal(a.body, &r) // an unreadable body is reported below
	switch {
	case a.status == http.StatusOK && r.IsSuccess:
		return nil
	case a.status == http.StatusOK:
		return &blocked{"the workspace refuses to delete members (is_success false): " + r.Message}
	case h.gone(ctx):
		return nil // deleted by an attempt whose answer was lost
	case r.Code != "":
		return fmt.Errorf("%d %s: %s", a.status, r.Code, r.Msg)
	}
	return unexpected(a)
}

// gone tells that the member is no longer listed, reading every page.
func (h *huawei) gone(ctx context.Context) bool {
	for offset := 0; offset < 100_000; offset += 100 {
		a, err := h.cl.do(ctx, call{what: "huawei list members", method: http.MethodGet,
			url: h.base() + "/users?limit=100&offset=" + strconv.Itoa(offset), header: headers("X-Auth-Token", h.token)})
		if err != nil || a.status != http.StatusOK {
			return false
		}
		var page struct {
			Data []struct {
				UserID string `json:"user_id"`
			} `json:"data"`
		}
		if json.Unmarshal(a.body, &page) != nil {
			return false
		}
		for _, m := range page.Data {
			if m.UserID == h.member {
				return false
			}
		}
		if len(page.Data) < 100 {
			return true
		}
	}
	return false
}

func (h *huawei) verify(ctx context.Context) error {
	if !h.gone(ctx) {
		return fmt.Errorf("member %s is still in workspace %s", h.member, h.space)
	}
	return nil
}
