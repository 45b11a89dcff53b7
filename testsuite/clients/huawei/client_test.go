// Package huawei runs Huawei Cloud's own Go SDK (huaweicloud-sdk-go-v3,
// the DataArts Studio client, signing with AK/SK) against a running
// offboard, so that what the vendor's client sends and parses is the judge.
// It lives in a module of its own: the SDK is large and the product does
// not need it.
//
//	OFFBOARD_URL=http://127.0.0.1:8080 go test ./...
package huawei

import (
	"errors"
	"os"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	dataarts "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"
)

// The default scenario's demo project, workspace, member and AK/SK.
const (
	project   = "demo-project"
	workspace = "demo-workspace"
	member    = "2d032145d82546b5b83cd7a6fd7d0afc" // the seed's example user
)

func client(t *testing.T, ak, sk string) *dataarts.DataArtsStudioClient {
	t.Helper()
	base := os.Getenv("OFFBOARD_URL")
	if base == "" {
		t.Skip("OFFBOARD_URL names no running offboard (.ci/run sets it)")
	}
	auth, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(project).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := dataarts.DataArtsStudioClientBuilder().
		WithEndpoints([]string{base}).
		WithCredential(auth).
		WithHttpConfig(config.DefaultHttpConfig().WithIgnoreSSLVerification(true)).
		SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return dataarts.NewDataArtsStudioClient(hc)
}

func deleteMember(c *dataarts.DataArtsStudioClient, id string) (*model.DeleteWorkspaceusersResponse, error) {
	var ids any = []string{id}
	return c.DeleteWorkspaceusers(&model.DeleteWorkspaceusersRequest{WorkspaceId: workspace,
		Body: &model.ApigDelUserParams{UserIds: &ids}})
}

// TestSeedDeleteWithTheSDK: list the workspace (the SDK parses the page),
// the seed's delete (200), the member gone from the list, and a second
// delete: the documented 400, parsed by the SDK into its error type.
func TestSeedDeleteWithTheSDK(t *testing.T) {
	c := client(t, "DEMOACCESSKEY", "DEMOSECRETKEY")
	limit := "100"
	list, err := c.ListWorkspaceusers(&model.ListWorkspaceusersRequest{WorkspaceId: workspace, Limit: &limit})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if list.Count == nil || list.Data == nil || !hasMember(*list.Data, member) {
		t.Fatalf("the SDK's parsed list lacks the seed's member: %v", list)
	}
	resp, err := deleteMember(c, member)
	if err != nil {
		t.Fatalf("the seed's delete: %v", err)
	}
	if resp.HttpStatusCode != 200 {
		t.Errorf("status %d", resp.HttpStatusCode)
	}
	list, err = c.ListWorkspaceusers(&model.ListWorkspaceusersRequest{WorkspaceId: workspace, Limit: &limit})
	if err != nil || hasMember(*list.Data, member) {
		t.Fatalf("after the delete: %v %v", list, err)
	}
	_, err = deleteMember(c, member)
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) || se.StatusCode != 400 || se.ErrorCode != "DAYU.4402" || se.ErrorMessage == "" {
		t.Fatalf("a second delete: %#v", err)
	}
}

// TestWrongSecretWithTheSDK: a signature with the wrong SK is the
// gateway's 401 APIGW.0301, with its request id, as the SDK parses it.
func TestWrongSecretWithTheSDK(t *testing.T) {
	c := client(t, "DEMOACCESSKEY", "NOT-THE-SECRET")
	_, err := deleteMember(c, "7c1e2d3f4a5b46c7d8e9f0a1b2c3d4e5")
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) || se.StatusCode != 401 || se.ErrorCode != "APIGW.0301" || se.RequestId == "" {
		t.Fatalf("wrong SK: %#v", err)
	}
}

func hasMember(users []model.ApigWorkspaceUserbody, id string) bool {
	for _, u := range users {
		if u.UserId != nil && *u.UserId == id {
			return true
		}
	}
	return false
}
